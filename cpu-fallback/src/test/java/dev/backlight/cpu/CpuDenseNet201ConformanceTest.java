package dev.backlight.cpu;

import dev.backlight.api.backend.Backend;
import dev.backlight.conformance.DenseNet201Conformance;

/** DenseNet-201 conformance on the CPU backend with all cores. */
class CpuDenseNet201ConformanceTest extends DenseNet201Conformance {
    @Override
    protected Backend createBackend() {
        return new CpuBackend(Runtime.getRuntime().availableProcessors());
    }
}
