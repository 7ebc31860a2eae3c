package dev.backlight.cuda.simulated;

import dev.backlight.api.backend.Backend;
import dev.backlight.conformance.DenseNet201Conformance;
import dev.backlight.cuda.SimulatedBackends;

/**
 * The shared DenseNet-201 suite on the CUDA backend with a simulated device, at 32×32 so that the
 * host arithmetic stays fast. The simulated cuDNN answers differently for different batches and
 * its algorithms round differently, so identical bits across batch sizes (tolerance 0) show that
 * the backend keeps one algorithm per convolution whatever the batch. Custom rules are refused,
 * as on the GPU.
 */
class SimulatedDenseNet201ConformanceTest extends DenseNet201Conformance {
    @Override
    protected Backend createBackend() {
        return SimulatedBackends.create(1L << 30);
    }

    @Override
    protected int imageSize() {
        return 32;
    }

    @Override
    protected double sameImagesAcrossBatchSizes() {
        return 0;
    }

    @Override
    protected boolean runsCustomRules() {
        return false;
    }
}
