package dev.backlight.cli;

import static org.junit.jupiter.api.Assertions.fail;

import dev.backlight.api.Shape;
import dev.backlight.api.Tensor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;

/** Inputs for the CLI tests: seeded arrays, the repository's test photos, and checks on output folders. */
public final class TestData {
    private TestData() {
    }

    /** Seeded standard-normal values of the given shape. */
    public static Tensor gaussian(Shape shape, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        float[] v = new float[shape.size()];
        for (int i = 0; i < v.length; i++) {
            // Box–Muller; 1 - u keeps the logarithm finite.
            double u1 = 1.0 - random.nextDouble();
            double u2 = random.nextDouble();
            v[i] = (float) (Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2));
        }
        return Tensor.of(shape, v);
    }

    /**
     * A file of the repository's test data ({@code testdata/} at its root: the first {@code testdata}
     * folder holding a {@code README.md} in the working directory, this module where Surefire runs, or
     * above it; {@code -Dbacklight.testData} overrides it). Fails the test, saying where it looked, if
     * the file is absent.
     */
    public static Path shared(String relative) {
        String override = System.getProperty("backlight.testData");
        Path root = override != null ? Path.of(override) : findTestData();
        Path file = root.resolve(relative);
        if (!Files.isRegularFile(file)) {
            fail("test data file " + relative + " not found under " + root.toAbsolutePath().normalize()
                    + " (expected testdata/ at the root of the repository, or set -Dbacklight.testData=<folder>)");
        }
        return file;
    }

    private static Path findTestData() {
        Path start = Path.of("").toAbsolutePath();
        for (Path dir = start; dir != null; dir = dir.getParent()) {
            Path candidate = dir.resolve("testdata");
            if (Files.isRegularFile(candidate.resolve("README.md"))) {
                return candidate;
            }
        }
        return start.resolve("testdata");
    }

    /** The names of everything in {@code dir}, hidden and temporary files included. */
    public static List<String> contents(Path dir) {
        if (!Files.exists(dir)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(p -> p.getFileName().toString()).sorted().toList();
        } catch (IOException e) {
            throw new AssertionError("cannot list " + dir, e);
        }
    }

    /** The relative L2 distance {@code |a - b| / |b|}. */
    public static double relativeL2(float[] a, float[] b) {
        if (a.length != b.length) {
            throw new AssertionError("lengths differ: " + a.length + " vs " + b.length);
        }
        double diff = 0;
        double norm = 0;
        for (int i = 0; i < a.length; i++) {
            diff += (double) (a[i] - b[i]) * (a[i] - b[i]);
            norm += (double) b[i] * b[i];
        }
        return Math.sqrt(diff) / Math.sqrt(norm);
    }
}
