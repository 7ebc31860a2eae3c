package dev.backlight.api;

/**
 * A weights file cannot be used: it is truncated, its header lies or is malformed, or a tensor the
 * model needs is missing or has the wrong shape or dtype. The message names the file and tensor.
 */
public class WeightsFormatException extends BacklightException {
    private static final long serialVersionUID = 1L;

    public WeightsFormatException(String message) {
        super(message);
    }

    public WeightsFormatException(String message, Throwable cause) {
        super(message, cause);
    }
}
