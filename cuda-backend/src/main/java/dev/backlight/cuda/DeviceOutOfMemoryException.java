package dev.backlight.cuda;

import dev.backlight.api.BacklightException;

/**
 * The device had not enough free memory for an allocation. The message carries the requested
 * size, what this backend holds and what the device reports free. A model that meets it while
 * sizing its buffers for a batch splits the batch instead of failing.
 */
public final class DeviceOutOfMemoryException extends BacklightException {
    private static final long serialVersionUID = 1L;

    private final long requestedBytes;

    DeviceOutOfMemoryException(String message, long requestedBytes) {
        super(message);
        this.requestedBytes = requestedBytes;
    }

    /** The size of the allocation that failed. */
    public long requestedBytes() {
        return requestedBytes;
    }
}
