package dev.backlight.spark;

import dev.backlight.api.BacklightException;

/**
 * An executor cannot find or fetch the weights it was told to use: a file that was neither shipped
 * with {@code spark-submit --files} nor on a path every executor can read, or a URI its file system
 * refuses. The message names the weights, the host and what to do.
 */
public class ExecutorWeightsException extends BacklightException {
    private static final long serialVersionUID = 1L;

    /** With a message saying what is missing and how to provide it. */
    public ExecutorWeightsException(String message) {
        super(message);
    }

    /** With a message saying what failed, and its cause. */
    public ExecutorWeightsException(String message, Throwable cause) {
        super(message, cause);
    }
}
