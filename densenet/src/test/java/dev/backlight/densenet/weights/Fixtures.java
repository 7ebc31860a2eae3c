package dev.backlight.densenet.weights;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;

/**
 * The committed weights fixtures ({@code fixtures/} beside these tests' resources, made by
 * {@code fixtures/make_weights_fixtures.py}): copied out of the class path into a folder, so that
 * readers see ordinary files wherever the tests run.
 */
final class Fixtures {
    private Fixtures() {}

    /** Copies fixture {@code name} into {@code dir} (under the same name) and returns its path. */
    static Path copy(String name, Path dir) {
        return copy(name, dir, name);
    }

    /** Copies fixture {@code name} into {@code dir} as {@code as}. */
    static Path copy(String name, Path dir, String as) {
        try (InputStream in = Objects.requireNonNull(Fixtures.class.getResourceAsStream("fixtures/" + name),
                "fixture " + name + " is missing: run fixtures/make_weights_fixtures.py")) {
            Path target = dir.resolve(as);
            Files.copy(in, target);
            return target;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The bytes of fixture {@code name}. */
    static byte[] bytes(String name) {
        try (InputStream in = Objects.requireNonNull(Fixtures.class.getResourceAsStream("fixtures/" + name), name)) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
