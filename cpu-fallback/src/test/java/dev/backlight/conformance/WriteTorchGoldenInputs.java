package dev.backlight.conformance;

import dev.backlight.api.io.Npy;
import dev.backlight.densenet.DenseNet;
import dev.backlight.densenet.DenseNetConfig;
import dev.backlight.densenet.RandomWeights;
import dev.backlight.densenet.weights.SafetensorsWriter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Writes the weights and input that {@code torch/make_torch_golden.py} turns into PyTorch golden
 * outputs for {@link TorchAgreementConformance}: DenseNet-121 at 64×64 with seed 121 weights, and
 * the input of seed 64. Run from the test class path: {@code WriteTorchGoldenInputs DIR}.
 */
public final class WriteTorchGoldenInputs {
    private WriteTorchGoldenInputs() {
    }

    public static void main(String[] args) throws IOException {
        Path dir = Path.of(args[0]);
        Files.createDirectories(dir);
        var graph = DenseNet.build(DenseNetConfig.DENSENET121, TorchAgreementConformance.SIZE, TorchAgreementConformance.SIZE);
        SafetensorsWriter.write(dir.resolve("weights.safetensors"),
                RandomWeights.generate(graph, TorchAgreementConformance.WEIGHT_SEED).asMap(), Map.of());
        Npy.write(dir.resolve("input.npy"), Numerics.gaussian(dev.backlight.api.Shape.of(1, 3, 64, 64), TorchAgreementConformance.INPUT_SEED));
    }
}
