package dev.backlight.api;

/**
 * No backend can run the request: the one asked for is unavailable (the message carries the
 * reason its provider gave), unknown, or none supports the requested rule.
 */
public class BackendUnavailableException extends BacklightException {
    private static final long serialVersionUID = 1L;

    public BackendUnavailableException(String message) {
        super(message);
    }

    public BackendUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
