package dev.backlight.cpu;

import dev.backlight.api.backend.Backend;
import dev.backlight.conformance.MethodConformance;

/** The attribution methods on the CPU backend. */
class CpuMethodConformanceTest extends MethodConformance {
    @Override
    protected Backend createBackend() {
        return new CpuBackend(2);
    }
}
