package dev.backlight.densenet.pretrained;

import dev.backlight.api.BacklightException;

/**
 * Pretrained weights could not be downloaded or failed their checks; nothing was cached. The
 * message says what happened and how to give a weights file instead.
 */
public class WeightsDownloadException extends BacklightException {
    private static final long serialVersionUID = 1L;

    /** An error with its message. */
    public WeightsDownloadException(String message) {
        super(message);
    }

    /** An error with its message and cause. */
    public WeightsDownloadException(String message, Throwable cause) {
        super(message, cause);
    }
}
