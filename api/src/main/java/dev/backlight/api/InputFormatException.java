package dev.backlight.api;

/**
 * An input (image file, {@code .npy} array, tensor) cannot be used: unreadable, unsupported
 * encoding, wrong dtype, rank or shape. The message names the input and the problem.
 */
public class InputFormatException extends BacklightException {
    private static final long serialVersionUID = 1L;

    public InputFormatException(String message) {
        super(message);
    }

    public InputFormatException(String message, Throwable cause) {
        super(message, cause);
    }
}
