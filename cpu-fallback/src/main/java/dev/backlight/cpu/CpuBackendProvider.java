package dev.backlight.cpu;

import dev.backlight.api.BackendUnavailableException;
import dev.backlight.api.backend.Availability;
import dev.backlight.api.backend.Backend;
import dev.backlight.api.backend.BackendOptions;
import dev.backlight.api.backend.BackendProvider;
import dev.backlight.api.backend.Precision;
import dev.backlight.api.rule.ReluRule;
import java.util.Map;

/**
 * Provider of the pure-Java CPU backend: always available, lowest priority, runs every rule
 * (built-in and custom). Backend properties: {@code cpu.warmup} ({@code true} or {@code false}, the
 * default): start compiling the kernels on a spare thread as the backend is created, which shortens a
 * one-shot command's first attribution (see the README's performance notes).
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
        boolean warmUp = false;
        for (Map.Entry<String, String> property : options.properties().entrySet()) {
            if (property.getKey().equals(JitWarmUp.PROPERTY)) {
                if (!property.getValue().equals("true") && !property.getValue().equals("false")) {
                    throw new IllegalArgumentException("backend property " + JitWarmUp.PROPERTY + " is '" + property.getValue()
                            + "'; give true or false");
                }
                warmUp = property.getValue().equals("true");
            } else if (property.getKey().startsWith(NAME + ".")) {
                throw new IllegalArgumentException("unknown cpu backend property '" + property.getKey() + "'; the cpu backend"
                        + " knows " + JitWarmUp.PROPERTY);
            }
        }
        CpuBackend backend = new CpuBackend(options.effectiveThreads());
        if (warmUp) {
            JitWarmUp.start();
        }
        return backend;
    }
}
