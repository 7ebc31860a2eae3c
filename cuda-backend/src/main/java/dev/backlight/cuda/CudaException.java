package dev.backlight.cuda;

import dev.backlight.api.BacklightException;

/**
 * A CUDA driver, cuDNN or cuBLAS call failed. The message names the operation, its sizes and the
 * library's name for the status; {@link #status()} is the numeric code.
 */
public final class CudaException extends BacklightException {
    private static final long serialVersionUID = 1L;

    private final int status;

    CudaException(String message, int status) {
        super(message);
        this.status = status;
    }

    /** The library's numeric status code. */
    public int status() {
        return status;
    }
}
