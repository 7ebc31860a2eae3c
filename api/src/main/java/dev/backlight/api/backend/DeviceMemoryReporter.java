package dev.backlight.api.backend;

/**
 * Implemented by a {@link Backend} that runs on a device with its own memory (a GPU): the bytes
 * its allocator holds on the device, and the peak, for benchmarks and reports. Thread-safe.
 */
public interface DeviceMemoryReporter {
    /** Device bytes the backend and its models hold now. */
    long deviceBytesHeld();

    /** The most device bytes held at once since the backend was created or {@link #resetDevicePeak()} was called. */
    long deviceBytesPeak();

    /** Starts a new peak measurement from what is held now. */
    void resetDevicePeak();
}
