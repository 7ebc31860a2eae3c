package dev.backlight.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.backlight.api.Tensor;
import dev.backlight.api.backend.CompiledModel;
import dev.backlight.api.io.Npy;
import dev.backlight.api.method.Attribution;
import dev.backlight.api.method.AttributionMethods;
import dev.backlight.api.method.Target;
import dev.backlight.conformance.Numerics;
import dev.backlight.densenet.DenseNet;
import dev.backlight.densenet.DenseNetConfig;
import dev.backlight.densenet.weights.LoadedWeights;
import dev.backlight.densenet.weights.WeightsFileFormat;
import dev.backlight.densenet.weights.WeightsFiles;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The same DenseNet read from each weights format computes what PyTorch computes. The network has
 * DenseNet-121's block structure (6, 12, 24, 16) at reduced width (growth 2, 4 initial features,
 * bottleneck 2, 10 classes): a full-width DenseNet-121 is 32 MB per file, too large to commit in
 * every format. Its seeded weights were saved by PyTorch 1.13 as safetensors, zip and legacy
 * checkpoints, and by h5py in the layout of keras.applications' ImageNet {@code .h5} files (see
 * {@code densenet/.../weights/fixtures/make_weights_fixtures.py}, which also shows that the Keras 3
 * layouts read back the identical tensors). The golden outputs are torchvision's DenseNet run by
 * PyTorch in float64 on a seeded 32x32 input: logits, and the Guided Backprop map of the top-1
 * class (every ReLU guided, the functional one after norm5 included), once with torchvision's
 * batch-norm epsilon 1e-5 and once with Keras' 1.001e-5.
 *
 * <p>Tolerance 1e-4 relative L2, as for float32 against float64 elsewhere (measured ~1e-7 for
 * logits). A quarter of the channels of two batch norms have running variance 0, so the epsilon
 * decides their scale: the two goldens differ by 1e-3 relative L2, ten times the tolerance (checked
 * to stay above five times), so a Keras file read with torchvision's epsilon (or the reverse) fails
 * this test.
 */
class CheckpointFormatsAgreementTest {
    private static final DenseNetConfig TINY_121 =
            new DenseNetConfig("densenet121-reduced", 2, new int[] {6, 12, 24, 16}, 4, 2, 1000, 1e-5f);
    private static final int SIZE = 32;
    private static final double TOLERANCE = 1e-4;

    @TempDir
    Path dir;

    private static Tensor golden(String name) throws IOException {
        try (InputStream in = Objects.requireNonNull(
                CheckpointFormatsAgreementTest.class.getResourceAsStream("checkpoints/" + name), name)) {
            return Npy.read(in, name);
        }
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({
        "tiny121_reference.safetensors, SAFETENSORS, logits.npy, guided.npy",
        "tiny121_zip.pth, PYTORCH_ZIP, logits.npy, guided.npy",
        "tiny121_legacy.pth, PYTORCH_LEGACY, logits.npy, guided.npy",
        "tiny121_keras_imagenet.h5, KERAS_H5, logits_keras.npy, guided_keras.npy"})
    void eachFormatMatchesPyTorchInFloat64(String file, WeightsFileFormat format, String logitsFile, String mapFile)
            throws IOException {
        Path path = dir.resolve(file);
        try (InputStream in = Objects.requireNonNull(getClass().getResourceAsStream("checkpoints/" + file), file)) {
            Files.copy(in, path);
        }
        LoadedWeights weights = WeightsFiles.read(path);
        assertEquals(format, weights.format());
        DenseNetConfig config = weights.configure(TINY_121);
        assertEquals(10, config.numClasses());

        Tensor input = golden("input.npy");
        Tensor logits = golden(logitsFile);
        Tensor map = golden(mapFile);
        Tensor otherLogits = golden(format.keras() ? "logits.npy" : "logits_keras.npy");
        double epsilonEffect = Numerics.relativeL2(otherLogits.data(), logits.data());
        assertTrue(epsilonEffect > 5 * TOLERANCE, "the goldens no longer tell the epsilons apart: " + epsilonEffect);

        try (CpuBackend backend = new CpuBackend(2);
             CompiledModel model = backend.compile(DenseNet.build(config, SIZE, SIZE), weights.weights())) {
            Attribution a = AttributionMethods.byId("guided-backprop").attribute(model, input, Target.top1());
            double logitError = Numerics.relativeL2(a.logits().data(), logits.data());
            double mapError = Numerics.relativeL2(a.map(0).data(), map.data());
            assertEquals(Target.top1().resolve(logits)[0][0], a.targetClass(0, 0));
            assertTrue(logitError < TOLERANCE, file + ": logits relative L2 error against PyTorch " + logitError);
            assertTrue(mapError < TOLERANCE, file + ": guided map relative L2 error against PyTorch " + mapError);
            System.out.printf("%s (%s): logits %.2e, guided %.2e relative L2 against PyTorch float64%n",
                    file, format, logitError, mapError);
        }
    }
}
