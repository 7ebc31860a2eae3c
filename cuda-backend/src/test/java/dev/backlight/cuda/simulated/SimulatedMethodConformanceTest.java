package dev.backlight.cuda.simulated;

import dev.backlight.api.backend.Backend;
import dev.backlight.conformance.MethodConformance;
import dev.backlight.cuda.SimulatedBackends;

/** The shared attribution-method suite on the CUDA backend with a simulated device. */
class SimulatedMethodConformanceTest extends MethodConformance {
    @Override
    protected Backend createBackend() {
        return SimulatedBackends.create(256L << 20);
    }
}
