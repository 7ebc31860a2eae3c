package dev.backlight.api;

/**
 * The root of Backlight's unchecked exceptions. Each subclass names one kind of failure; the
 * message says what went wrong and what to do, and the cause is always kept.
 */
public class BacklightException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public BacklightException(String message) {
        super(message);
    }

    public BacklightException(String message, Throwable cause) {
        super(message, cause);
    }
}
