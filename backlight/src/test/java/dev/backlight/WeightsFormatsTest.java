package dev.backlight;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.backlight.api.WeightsFormatException;
import dev.backlight.densenet.DenseNetConfig;
import dev.backlight.densenet.imagenet.LabelsFormatException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Weights in every format the library reads, given to the facade as a file: the same tensors give
 * the same explanation, whatever the container. The fixtures are densenet's (one seeded tiny
 * DenseNet, growth 4, blocks (2, 2), 5 classes, written by PyTorch and h5py; see its fixtures README).
 */
class WeightsFormatsTest {
    private static final Path LION = Path.of("..", "examples", "lion.jpg");
    /** The fixtures' DenseNet; its class count (5) comes from the files. */
    private static final DenseNetConfig TINY = new DenseNetConfig("tiny", 4, new int[] {2, 2}, 8, 2, 1000, 1e-5f);

    @TempDir
    static Path dir;

    @Test
    void everyPyTorchContainerGivesTheSafetensorsExplanation() throws IOException {
        Explanation reference = explain(fixture("reference.safetensors"));
        assertEquals(5, reference.logits().shape().dim(1), "the class count comes from the classifier");
        assertEquals("class 3", reference.top(5).stream()
                .filter(p -> p.classIndex() == 3).findFirst().orElseThrow().label(), "5 classes are named by index");
        for (String file : List.of("zip.pth", "legacy.pth", "pytorch_model.bin", "wrapped.pth.tar", "model_state_dict.pt",
                "legacy_2017.pth")) {
            Explanation e = explain(fixture(file));
            assertArrayEquals(reference.logits().data(), e.logits().data(), file);
            assertArrayEquals(reference.map().data(), e.map().data(), file);
        }
    }

    @Test
    void kerasFilesCarryTheirEpsilonAndReadAlike() throws IOException {
        Explanation h5 = explain(fixture("keras_model.h5"));
        Explanation keras3 = explain(fixture("keras3.weights.h5"));
        Explanation archive = explain(fixture("keras3.keras"));
        assertArrayEquals(h5.map().data(), keras3.map().data());
        assertArrayEquals(h5.map().data(), archive.map().data());
        Explanation torch = explain(fixture("reference.safetensors"));
        assertTrue(!java.util.Arrays.equals(torch.logits().data(), h5.logits().data()),
                "Keras' epsilon 1.001e-5 must change the logits of a network with zero-variance channels");
    }

    @Test
    void labelsNameAFineTunedHeadAndMustMatchIt() throws IOException {
        Path labels = Files.writeString(dir.resolve("labels.txt"), "cat\ndog\nfox\nowl\nbee\n");
        try (Explainer e = Explainer.builder().model(TINY).weights(fixture("zip.pth")).labels(labels).backend("cpu")
                .threads(2).build()) {
            Explanation x = e.explain(LION);
            assertEquals(List.of("cat", "dog", "fox", "owl", "bee").get(x.targetClass()), x.targetLabel());
        }
        Path three = Files.writeString(dir.resolve("three.txt"), "cat\ndog\nfox\n");
        assertThrows(LabelsFormatException.class,
                () -> Explainer.builder().model(TINY).weights(fixture("zip.pth")).labels(three).backend("cpu").build());
    }

    @Test
    void hostileAndMismatchedFilesAreRefused() throws IOException {
        assertThrows(WeightsFormatException.class, () -> explain(fixture("hostile_system.pth")));
        assertThrows(WeightsFormatException.class,
                () -> Explainer.builder().model("densenet121").weights(fixture("zip.pth")).backend("cpu").build());
    }

    private static Explanation explain(Path weights) {
        try (Explainer e = Explainer.builder().model(TINY).weights(weights).backend("cpu").threads(2).build()) {
            return e.explain(LION);
        }
    }

    /** A fixture of densenet's test jar, copied to a file. */
    private static Path fixture(String name) throws IOException {
        Path file = dir.resolve(name);
        if (!Files.exists(file)) {
            try (InputStream in = WeightsFormatsTest.class.getResourceAsStream("/dev/backlight/densenet/weights/fixtures/" + name)) {
                if (in == null) {
                    throw new IOException("no fixture " + name + " in densenet's test jar");
                }
                Files.copy(in, file);
            }
        }
        return file;
    }
}
