package dev.backlight.cuda.conformance;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.backlight.api.backend.Availability;
import dev.backlight.cuda.CudaBackendProvider;
import org.junit.jupiter.api.Test;

/**
 * In the GPU check ({@code gpu-check/run.sh} sets {@value #REQUIRE}), a CUDA backend that cannot
 * run is a failure, not a reason to skip every GPU test: the check exists to run them. Elsewhere
 * it is skipped.
 */
class CudaBackendIsAvailableTest {
    /** The system property the GPU check sets. */
    static final String REQUIRE = "backlight.gpucheck.requireCuda";

    @Test
    void theCudaBackendIsAvailable() {
        assumeTrue(Boolean.getBoolean(REQUIRE), "only required in the GPU check (-D" + REQUIRE + "=true)");
        Availability a = new CudaBackendProvider().availability();
        assertTrue(a.available(), "the GPU check needs the CUDA backend, which is unavailable: " + a.reason());
        System.out.println("CUDA backend available: " + a.reason());
    }
}
