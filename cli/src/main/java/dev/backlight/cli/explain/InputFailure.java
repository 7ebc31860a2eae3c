package dev.backlight.cli.explain;

import dev.backlight.cli.FailureReporter;
import java.nio.file.Path;
import java.util.Objects;

/**
 * An input that could not be explained, and why; its outputs were not written.
 *
 * @param path the input as found
 * @param message one line that names the file and the problem
 * @param cause what was thrown, for {@code --verbose}; may be null
 */
record InputFailure(Path path, String message, Throwable cause) {
    InputFailure {
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(message, "message");
    }

    /** The failure that {@code e} describes; its message is made to name the file if it does not. */
    static InputFailure of(Path path, RuntimeException e) {
        String message = FailureReporter.describe(e);
        if (!message.contains(path.toString())) {
            message = path + ": " + message;
        }
        return new InputFailure(path, message, e);
    }
}
