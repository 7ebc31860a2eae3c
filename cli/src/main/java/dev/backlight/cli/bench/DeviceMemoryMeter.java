package dev.backlight.cli.bench;

import dev.backlight.api.backend.Backend;
import dev.backlight.api.backend.DeviceMemoryReporter;
import java.util.OptionalLong;

/**
 * The peak device memory of a {@code backlight bench} cell, for backends that run on a device.
 *
 * <p>A backend that implements {@link DeviceMemoryReporter} (the CUDA backend: the bytes its
 * device allocator holds, parameters, activation buffers and cuDNN workspace included) is
 * measured; any other gets {@link #none}, and the table shows {@code -}.
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
        if (backend instanceof DeviceMemoryReporter reporter) {
            return new Reporter(reporter);
        }
        if (backend.name().equals("cpu")) {
            return none("the cpu backend has no device");
        }
        return none("not measured: the " + backend.name() + " backend does not report its device memory");
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

    /** Reads the peak of a backend's device allocator. */
    record Reporter(DeviceMemoryReporter reporter) implements DeviceMemoryMeter {
        @Override
        public void reset() {
            reporter.resetDevicePeak();
        }

        @Override
        public OptionalLong peakBytes() {
            return OptionalLong.of(reporter.deviceBytesPeak());
        }

        @Override
        public String description() {
            return "bytes held by the backend's device allocator (parameters, buffers, cuDNN workspace), peak per cell";
        }
    }
}
