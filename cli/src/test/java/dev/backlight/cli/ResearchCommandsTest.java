package dev.backlight.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.backlight.api.Shape;
import dev.backlight.api.io.Npy;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The method options of {@code explain} and the {@code sanity} command. */
class ResearchCommandsTest {
    @TempDir
    Path dir;

    private Path array() {
        Path x = dir.resolve("x.npy");
        Npy.write(x, TestData.gaussian(Shape.of(1, 3, 64, 64), 5));
        return x;
    }

    @Test
    void smoothGradWithoutNoiseEqualsTheGradientThroughTheCli() {
        Path x = array();
        Path plain = dir.resolve("plain");
        Path smooth = dir.resolve("smooth");
        Cli.Result a = Cli.run("explain", "--weights", "random:3", "--model", "densenet121", "--method", "gradient",
                "--out", plain.toString(), x.toString());
        Cli.Result b = Cli.run("explain", "--weights", "random:3", "--model", "densenet121", "--method", "smoothgrad",
                "--noise", "0", "--samples", "2", "--sample-batch", "2", "--out", smooth.toString(), x.toString());
        assertEquals(0, a.exitCode(), a.toString());
        assertEquals(0, b.exitCode(), b.toString());
        assertArrayEquals(Npy.read(plain.resolve("x.gradient.npy")).data(), Npy.read(smooth.resolve("x.smoothgrad.npy")).data());
    }

    @Test
    void integratedGradientsAndGradCamTakeTheirOptions() throws Exception {
        Path x = array();
        Cli.Result ig = Cli.run("explain", "--weights", "random:3", "--model", "densenet121", "--method", "integrated-gradients",
                "--steps", "4", "--quadrature", "riemann-trapezoid", "--baseline", "black", "--out", dir.resolve("ig").toString(), x.toString());
        assertEquals(0, ig.exitCode(), ig.toString());
        assertTrue(Files.readString(dir.resolve("ig/x.explain.json")).contains("ig.delta"), "completeness is reported");
        Cli.Result cam = Cli.run("explain", "--weights", "random:3", "--model", "densenet121", "--method", "grad-cam",
                "--layer", "features.denseblock4.cat", "--out", dir.resolve("cam").toString(), x.toString());
        assertEquals(0, cam.exitCode(), cam.toString());
        assertEquals(Shape.of(1, 1, 64, 64), Npy.read(dir.resolve("cam/x.grad-cam.npy")).shape());
    }

    @Test
    void optionsThatDoNotApplyOrDoNotParseAreUsageErrors() {
        Path x = array();
        String[][] cases = {
            {"--method", "gradient", "--steps", "8"},
            {"--method", "smoothgrad", "--layer", "features.relu5"},
            {"--method", "grad-cam", "--layer", "features.nosuch"},
            {"--method", "integrated-gradients", "--quadrature", "simpson"},
            {"--method", "integrated-gradients", "--baseline", "grey"},
            {"--method", "smoothgrad", "--base-method", "lime"},
        };
        for (String[] c : cases) {
            String[] args = new String[c.length + 6];
            System.arraycopy(new String[] {"explain", "--weights", "random", "--out", dir.resolve("o").toString(), x.toString()}, 0, args, 0, 6);
            System.arraycopy(c, 0, args, 6, c.length);
            Cli.Result r = Cli.run(args);
            assertEquals(ExitCodes.USAGE, r.exitCode(), String.join(" ", c) + "\n" + r);
            assertEquals(1, r.errorLines().size(), r.toString());
            assertTrue(Files.notExists(dir.resolve("o")), "nothing written for a usage error");
        }
    }

    @Test
    void sanityWritesAReportAndAGrid() throws Exception {
        Path x = array();
        Path out = dir.resolve("sanity");
        Cli.Result r = Cli.run("sanity", "--weights", "random:4", "--model", "densenet121", "--methods", "gradient,guided-backprop",
                "--out", out.toString(), x.toString());
        assertEquals(0, r.exitCode(), r.toString());
        String json = Files.readString(out.resolve("x.sanity.json"));
        assertEquals(2 * 10, json.split("\"spearmanAbsolute\"", -1).length - 1, json);
        assertTrue(json.contains("\"warning\""), "random weights are flagged in the report");
        var grid = javax.imageio.ImageIO.read(out.resolve("x.sanity.png").toFile());
        assertEquals(11 * 64, grid.getWidth());
        assertTrue(r.out().contains("guided-backprop") && r.out().contains("features.stem"), r.out());
        Cli.Result bad = Cli.run("sanity", "--weights", "random", "--mode", "sideways", "--out", out.toString(), x.toString());
        assertEquals(ExitCodes.USAGE, bad.exitCode(), bad.toString());
    }
}
