package dev.backlight.densenet.imagenet;

import static org.junit.jupiter.api.Assertions.fail;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Finds the shared test data folder ({@code /work/shared/data}, described by its README): {@code
 * ../shared/data} beside the repository, that is {@code ../../shared/data} from the densenet module
 * directory, where Surefire runs. The system property {@code backlight.sharedData} overrides it.
 */
final class SharedTestData {
    private SharedTestData() {}

    /** A file of the shared data, such as {@code images/lion.jpg}; fails the test if it is absent. */
    static Path file(String relative) {
        Path root = root();
        Path file = root.resolve(relative);
        if (!Files.isRegularFile(file)) {
            fail("shared test file " + relative + " is missing from " + root.toAbsolutePath().normalize());
        }
        return file;
    }

    private static Path root() {
        String override = System.getProperty("backlight.sharedData");
        Path root = override != null ? Path.of(override) : Path.of("..", "..", "shared", "data");
        if (!Files.isDirectory(root)) {
            fail("shared test data not found at " + root.toAbsolutePath().normalize()
                    + " (expected ../shared/data beside the repository; run the tests from the module"
                    + " directory, as Surefire does, or set -Dbacklight.sharedData=<folder>)");
        }
        return root;
    }
}
