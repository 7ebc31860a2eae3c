package dev.backlight.cli.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.backlight.api.Weights;
import dev.backlight.api.backend.Backend;
import dev.backlight.api.backend.CompileOptions;
import dev.backlight.api.backend.CompiledModel;
import dev.backlight.api.backend.DeviceMemoryReporter;
import dev.backlight.api.graph.Graph;
import org.junit.jupiter.api.Test;

class DeviceMemoryMeterTest {
    /** A backend with a device allocator whose peak the test sets. */
    private static final class DeviceBackend implements Backend, DeviceMemoryReporter {
        long held = 100;
        long peak = 700;

        @Override
        public String name() {
            return "fake-gpu";
        }

        @Override
        public CompiledModel compile(Graph graph, Weights weights, CompileOptions options) {
            throw new UnsupportedOperationException();
        }

        @Override
        public void close() {
        }

        @Override
        public long deviceBytesHeld() {
            return held;
        }

        @Override
        public long deviceBytesPeak() {
            return peak;
        }

        @Override
        public void resetDevicePeak() {
            peak = held;
        }
    }

    @Test
    void aBackendWithADeviceAllocatorIsMeasured() {
        DeviceBackend backend = new DeviceBackend();
        DeviceMemoryMeter meter = DeviceMemoryMeter.of(backend);
        assertEquals(700, meter.peakBytes().getAsLong());
        meter.reset();
        assertEquals(100, meter.peakBytes().getAsLong());
        assertTrue(meter.description().contains("device allocator"), meter.description());
    }
}
