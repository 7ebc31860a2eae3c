package dev.backlight.cuda.simulated;

import dev.backlight.api.backend.Backend;
import dev.backlight.conformance.OpConformance;
import dev.backlight.cuda.SimulatedBackends;

/**
 * The shared op conformance suite on the CUDA backend's planner and call sequence, with the device
 * simulated on the host (see {@code SimulatedGpu}); it runs everywhere, the GPU run does the rest.
 */
class SimulatedOpConformanceTest extends OpConformance {
    @Override
    protected Backend createBackend() {
        return SimulatedBackends.create(256L << 20);
    }

    @Override
    protected boolean runsCustomRules() {
        return false;
    }
}
