package dev.backlight.cpu;

import dev.backlight.api.backend.Backend;
import dev.backlight.conformance.OpConformance;

/** The op-level conformance suite on the CPU backend, with 2 worker threads. */
class CpuOpConformanceTest extends OpConformance {
    @Override
    protected Backend createBackend() {
        return new CpuBackend(2);
    }
}
