package dev.backlight.cpu;

import dev.backlight.api.BackendUnavailableException;
import dev.backlight.api.backend.Availability;
import dev.backlight.api.backend.Backend;
import dev.backlight.api.backend.BackendOptions;
import dev.backlight.api.backend.BackendProvider;
import dev.backlight.api.backend.Precision;
import dev.backlight.api.rule.ReluRule;

/**
 * Provider of the pure-Java CPU backend: always available, lowest priority, runs every rule
 * (built-in and custom).
 */
public final class CpuBackendProvider implements BackendProvider {
    /** The backend's name. */
    public static final String NAME = "cpu";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public int priority() {
        return 10;
    }

    @Override
    public Availability availability() {
        return Availability.available("pure Java, " + Runtime.getRuntime().availableProcessors()
                + " cores, GEMM: " + Gemm.kernelDescription() + "; runs built-in and custom rules");
    }

    @Override
    public boolean supports(ReluRule rule) {
        return true;
    }

    @Override
    public Backend create(BackendOptions options) {
        if (options.precision() != Precision.FP32) {
            throw new BackendUnavailableException("the cpu backend computes in fp32 only, and " + options.precision().id()
                    + " was asked for; ask for fp32, or for a backend that has " + options.precision().id() + " (cuda)");
        }
        return new CpuBackend(options.effectiveThreads());
    }
}
