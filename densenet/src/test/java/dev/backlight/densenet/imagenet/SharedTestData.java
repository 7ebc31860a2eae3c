package dev.backlight.densenet.imagenet;

import static org.junit.jupiter.api.Assertions.fail;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Finds the repository's test data ({@code testdata/} at its root, described by its README): the
 * first {@code testdata} folder holding a {@code README.md} in the working directory (the module
 * directory, where Surefire runs) or a folder above it. The system property {@code
 * backlight.testData} overrides it.
 */
final class SharedTestData {
    private SharedTestData() {}

    /** A file of the test data, such as {@code images/lion.jpg}; fails the test if it is absent. */
    static Path file(String relative) {
        Path root = root();
        Path file = root.resolve(relative);
        if (!Files.isRegularFile(file)) {
            fail("test data file " + relative + " is missing from " + root.toAbsolutePath().normalize());
        }
        return file;
    }

    private static Path root() {
        String override = System.getProperty("backlight.testData");
        if (override != null) {
            Path root = Path.of(override);
            if (!Files.isDirectory(root)) {
                fail("-Dbacklight.testData=" + override + " is not a folder");
            }
            return root;
        }
        Path start = Path.of("").toAbsolutePath();
        for (Path dir = start; dir != null; dir = dir.getParent()) {
            Path candidate = dir.resolve("testdata");
            if (Files.isRegularFile(candidate.resolve("README.md"))) {
                return candidate;
            }
        }
        fail("no testdata/ folder (with its README.md) in " + start + " or above it; run the tests inside"
                + " the repository, as Surefire does, or set -Dbacklight.testData=<folder>");
        throw new AssertionError("unreachable");
    }
}
