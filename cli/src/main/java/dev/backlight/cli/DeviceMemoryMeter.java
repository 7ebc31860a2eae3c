package dev.backlight.cli;

import dev.backlight.api.backend.Backend;
import java.util.OptionalLong;

/**
 * The peak device memory of a {@code backlight bench} cell, for backends that run on a device.
 *
 * <p>This is the hook for the CUDA backend: once it can report its allocator's peak (bytes held
 * by its device allocator, or {@code cudaMemGetInfo} sampled around each call), {@link #of}
 * returns a meter for it. Until then every backend gets {@link #none}, and the table shows
 * {@code -}.
 */
interface DeviceMemoryMeter {
    /** Starts a measurement: forget the peak so far. */
    void reset();

    /** The peak device memory in bytes since {@link #reset()}, or empty when not measured. */
    OptionalLong peakBytes();

    /** What the number means for this backend, or why there is none. */
    String description();

    /** The meter for {@code backend}. */
    static DeviceMemoryMeter of(Backend backend) {
        if (backend.name().equals("cpu")) {
            return none("the cpu backend has no device");
        }
        // The CUDA backend does not report its device memory yet; see the type's comment.
        return none("not measured: the " + backend.name() + " backend does not report its device memory yet");
    }

    /** A meter that measures nothing, for the given reason. */
    static DeviceMemoryMeter none(String reason) {
        return new None(reason);
    }

    /** Measures nothing; {@link #description()} says why. */
    record None(String description) implements DeviceMemoryMeter {
        @Override
        public void reset() {
        }

        @Override
        public OptionalLong peakBytes() {
            return OptionalLong.empty();
        }
    }
}
