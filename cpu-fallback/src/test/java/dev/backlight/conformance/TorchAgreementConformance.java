package dev.backlight.conformance;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.backlight.api.Tensor;
import dev.backlight.api.backend.Backend;
import dev.backlight.api.backend.CompiledModel;
import dev.backlight.api.graph.Graph;
import dev.backlight.api.io.Npy;
import dev.backlight.api.method.Attribution;
import dev.backlight.api.method.AttributionMethods;
import dev.backlight.api.method.Target;
import dev.backlight.densenet.DenseNet;
import dev.backlight.densenet.DenseNetConfig;
import dev.backlight.densenet.RandomWeights;
import java.io.IOException;
import java.io.InputStream;
import java.util.Map;
import java.util.Objects;
import org.junit.jupiter.api.Test;

/**
 * Agreement with PyTorch itself: torchvision's DenseNet-121 run in float64 by PyTorch 1.13 with
 * the same seeded weights and input (golden files made by {@code torch/make_torch_golden.py}, in
 * the test resources, with every ReLU — the functional one after norm5 included — replaced by a
 * custom autograd function for Guided Backprop and Deconvnet). This checks the whole chain,
 * names and layout of weights included, against an implementation we did not write.
 *
 * <p>The golden files depend on {@link RandomWeights} and {@link Numerics#gaussian}: if either
 * changes, regenerate them (see the script's header). Tolerances as in
 * {@link DenseNet201Conformance}: float32 against float64.
 */
public abstract class TorchAgreementConformance {
    static final int SIZE = 64;
    static final long WEIGHT_SEED = 121;
    static final long INPUT_SEED = 64;

    /** Creates the backend under test. */
    protected abstract Backend createBackend();

    private static Tensor golden(String name) throws IOException {
        try (InputStream in = Objects.requireNonNull(
                TorchAgreementConformance.class.getResourceAsStream("torch/" + name + ".npy"), name)) {
            return Npy.read(in, name + ".npy");
        }
    }

    @Test
    void densenet121MatchesPyTorch() throws IOException {
        Graph graph = DenseNet.build(DenseNetConfig.DENSENET121, SIZE, SIZE);
        Tensor input = golden("input");
        assertArrayEquals(Numerics.gaussian(input.shape(), INPUT_SEED).data(), input.data(),
                "the golden input is no longer what the seed gives: regenerate the golden files");
        Map<String, Double> bounds = Map.of("gradient", 5e-3, "guided-backprop", 1e-4, "deconvnet", 1e-4);
        Map<String, String> files = Map.of("gradient", "gradient", "guided-backprop", "guided", "deconvnet", "deconvnet");
        Tensor torchLogits = golden("logits");
        StringBuilder report = new StringBuilder();
        try (Backend backend = createBackend(); CompiledModel model = backend.compile(graph, RandomWeights.generate(graph, WEIGHT_SEED))) {
            for (String method : bounds.keySet()) {
                Attribution a = AttributionMethods.byId(method).attribute(model, input, Target.top1());
                double logitErr = Numerics.relativeL2(a.logits().data(), torchLogits.data());
                assertTrue(logitErr < 1e-5, "logits relative L2 error against PyTorch " + logitErr);
                assertEquals(Target.top1().resolve(torchLogits)[0][0], a.targetClass(0, 0));
                double err = Numerics.relativeL2(a.map(0).data(), golden(files.get(method)).data());
                report.append(method).append(' ').append(err).append("; ");
                assertTrue(err < bounds.get(method), method + ": relative L2 error against PyTorch " + err);
            }
        }
        System.out.println("DenseNet-121 64x64 vs PyTorch float64: " + report);
    }
}
