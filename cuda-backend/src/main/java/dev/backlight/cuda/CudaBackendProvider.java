package dev.backlight.cuda;

import dev.backlight.api.BackendUnavailableException;
import dev.backlight.api.backend.Availability;
import dev.backlight.api.backend.Backend;
import dev.backlight.api.backend.BackendOptions;
import dev.backlight.api.backend.BackendProvider;
import dev.backlight.api.rule.BuiltinRule;
import dev.backlight.api.rule.ReluRule;
import dev.backlight.kernels.Kernels;

/**
 * Provider of the CUDA backend (JCuda: cuDNN, cuBLAS and our own kernels). It has the highest
 * priority when available. Its probe is total: it never throws and never loads a native library
 * it cannot use.
 *
 * <p>This build does not contain the CUDA backend's implementation yet: the provider is present
 * so that discovery, reports and {@code --backend cuda} say so plainly, and the library falls
 * back to the CPU backend.
 */
public final class CudaBackendProvider implements BackendProvider {
    /** The backend's name. */
    public static final String NAME = "cuda";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public int priority() {
        return 100;
    }

    @Override
    public Availability availability() {
        if (Kernels.manifest().isEmpty()) {
            return Availability.unavailable("kernels not built: this build of Backlight has no CUDA backend yet; "
                    + "the CPU backend computes the same maps");
        }
        CudaLibraries libraries;
        try {
            libraries = CudaEnvironment.probe();
        } catch (RuntimeException e) {
            return Availability.unavailable("probing for CUDA libraries failed: " + e);
        }
        if (!libraries.complete()) {
            return Availability.unavailable(libraries.describe());
        }
        return Availability.unavailable(libraries.describe() + "; but the CUDA backend's compute path is not part of this"
                + " build yet: the CPU backend computes the same maps");
    }

    @Override
    public java.util.List<dev.backlight.api.backend.BackendDetail> details() {
        try {
            return CudaDetails.of(CudaEnvironment.probe(), java.nio.file.Path.of("/proc/driver/nvidia"));
        } catch (RuntimeException e) {
            return java.util.List.of(new dev.backlight.api.backend.BackendDetail("probe", "failed: " + e));
        }
    }

    @Override
    public boolean supports(ReluRule rule) {
        return rule instanceof BuiltinRule;
    }

    @Override
    public Backend create(BackendOptions options) {
        throw new BackendUnavailableException("backend 'cuda' cannot be used: " + availability().reason());
    }
}
