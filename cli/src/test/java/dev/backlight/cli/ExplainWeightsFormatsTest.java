package dev.backlight.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.backlight.api.Shape;
import dev.backlight.api.io.Npy;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --weights} with the formats people hold, {@code --labels} and {@code --preprocess} on the
 * command line. Reading every format is checked in densenet and the facade (same door,
 * {@code WeightsSource.file}); here: what the command says when a file is hostile or for another
 * model, and that labels and preprocessing reach the run.
 */
class ExplainWeightsFormatsTest {
    @TempDir
    static Path dir;

    @Test
    void aCheckpointThatPicklesCodeIsRefusedNamingTheGlobal() throws IOException {
        Path out = dir.resolve("hostile-out");
        Cli.Result r = Cli.run("explain", "--model", "densenet121", "--weights", fixture("hostile_system.pth").toString(),
                "--out", out.toString(), TestData.shared("images/lion.jpg").toString());
        assertEquals(ExitCodes.FAILURE, r.exitCode(), r::toString);
        assertTrue(r.errorLines().get(0).contains("system"), r::toString);
        assertFalse(Files.exists(out), "nothing written");
    }

    @Test
    void aCheckpointOfAnotherDenseNetNamesTheMismatch() throws IOException {
        Cli.Result r = Cli.run("explain", "--model", "densenet121", "--weights", fixture("zip.pth").toString(),
                "--out", dir.resolve("other-out").toString(), TestData.shared("images/lion.jpg").toString());
        assertEquals(ExitCodes.FAILURE, r.exitCode(), r::toString);
        assertTrue(r.errorLines().get(0).contains("not densenet121"), r::toString);
    }

    @Test
    void labelsMustNameEveryClass() throws IOException {
        Path labels = Files.writeString(dir.resolve("three.txt"), "cat\ndog\nfox\n");
        Cli.Result r = Cli.run("explain", "--model", "densenet121", "--weights", "random", "--labels", labels.toString(),
                "--out", dir.resolve("labels-out").toString(), TestData.shared("images/lion.jpg").toString());
        assertEquals(ExitCodes.FAILURE, r.exitCode(), r::toString);
        assertTrue(r.errorLines().get(0).contains("--labels") && r.errorLines().get(0).contains("1000"), r::toString);
    }

    @Test
    void kerasPreprocessingResizesTheWholeImage() throws IOException {
        Path out = dir.resolve("keras-out");
        Path photo = TestData.shared("images/lion.jpg");
        Cli.Result torch = Cli.run("explain", "--model", "densenet121", "--weights", "random", "--save-raw", "--render", "gray",
                "--out", dir.resolve("torch-out").toString(), photo.toString());
        Cli.Result keras = Cli.run("explain", "--model", "densenet121", "--weights", "random", "--save-raw", "--render", "gray",
                "--preprocess", "keras", "--out", out.toString(), photo.toString());
        assertEquals(0, torch.exitCode(), torch::toString);
        assertEquals(0, keras.exitCode(), keras::toString);
        float[] a = Npy.read(dir.resolve("torch-out/lion.guided-backprop.npy")).data();
        float[] b = Npy.read(out.resolve("lion.guided-backprop.npy")).data();
        assertEquals(Shape.of(1, 3, 224, 224).size(), b.length);
        assertFalse(java.util.Arrays.equals(a, b), "another preprocessing, another input, another map");
        Cli.Result bad = Cli.run("explain", "--preprocess", "caffe", "--weights", "random", "--out", out.toString(), photo.toString());
        assertEquals(ExitCodes.USAGE, bad.exitCode(), bad::toString);
        assertTrue(bad.errorLines().get(0).contains("--preprocess"), bad::toString);
        assertTrue(List.of(torch, keras).stream().allMatch(x -> x.errorLines().isEmpty()));
    }

    /** A fixture of densenet's test jar (one seeded tiny DenseNet in every format), copied to a file. */
    private static Path fixture(String name) throws IOException {
        Path file = dir.resolve(name);
        if (!Files.exists(file)) {
            try (InputStream in = ExplainWeightsFormatsTest.class.getResourceAsStream("/dev/backlight/densenet/weights/fixtures/" + name)) {
                if (in == null) {
                    throw new IOException("no fixture " + name + " in densenet's test jar");
                }
                Files.copy(in, file);
            }
        }
        return file;
    }
}
