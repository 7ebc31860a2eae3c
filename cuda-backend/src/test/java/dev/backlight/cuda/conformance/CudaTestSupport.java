package dev.backlight.cuda.conformance;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.backlight.api.backend.Availability;
import dev.backlight.api.backend.Backend;
import dev.backlight.api.backend.BackendOptions;
import dev.backlight.cuda.CudaBackendProvider;

/**
 * The one place that decides whether the CUDA conformance tests can run here: they are skipped,
 * with the provider's own reason, where the CUDA backend is unavailable (no GPU, no driver, no
 * cuDNN, or a build without it), so CI without a GPU stays green and says why.
 */
final class CudaTestSupport {
    /**
     * Relative L2 allowed between the same images computed at different batch sizes on a GPU. The
     * backend keeps each convolution's algorithm per geometry and runs the classifier per image,
     * but cuDNN may still pick other kernels inside one algorithm for another batch; that is
     * float32 rounding in another order, about 1e-7 per layer.
     */
    static final double ACROSS_BATCH_SIZES = 1e-5;

    private CudaTestSupport() {
    }

    static Backend createOrSkip() {
        CudaBackendProvider provider = new CudaBackendProvider();
        Availability a = provider.availability();
        assumeTrue(a.available(), "CUDA backend unavailable here: " + a.reason());
        return provider.create(BackendOptions.defaults());
    }
}
