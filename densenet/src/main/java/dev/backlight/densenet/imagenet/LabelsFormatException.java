package dev.backlight.densenet.imagenet;

import dev.backlight.api.BacklightException;

/**
 * A class labels file cannot be used: unreadable, not UTF-8, malformed JSON, an empty or
 * control-character label, indices that do not run 0..K-1, or a number of labels other than the
 * model's classes. The message names the file, the line or index, and what to do.
 */
public class LabelsFormatException extends BacklightException {
    private static final long serialVersionUID = 1L;

    public LabelsFormatException(String message) {
        super(message);
    }

    public LabelsFormatException(String message, Throwable cause) {
        super(message, cause);
    }
}
