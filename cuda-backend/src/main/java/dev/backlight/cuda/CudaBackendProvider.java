package dev.backlight.cuda;

import dev.backlight.api.BackendUnavailableException;
import dev.backlight.api.backend.Availability;
import dev.backlight.api.backend.Backend;
import dev.backlight.api.backend.BackendDetail;
import dev.backlight.api.backend.BackendOptions;
import dev.backlight.api.backend.BackendProvider;
import dev.backlight.api.rule.BuiltinRule;
import dev.backlight.api.rule.ReluRule;
import dev.backlight.kernels.Kernels;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import jcuda.driver.CUresult;
import jcuda.driver.JCudaDriver;

/**
 * Provider of the CUDA backend (JCuda: cuDNN, cuBLAS and our own kernels). It has the highest
 * priority when available. Its probe is total: it never throws, and it loads native code only
 * once every library it needs was found; the outcome is computed once per JVM.
 *
 * <p>Settings: {@code backlight.cuda.device} (system property) or {@code BACKLIGHT_CUDA_DEVICE}
 * picks the GPU (default 0); {@code backlight.cuda.math} / {@code BACKLIGHT_CUDA_MATH} the math
 * mode ({@code fp32}, the default, or {@code tf32}).
 */
public final class CudaBackendProvider implements BackendProvider {
    /** The backend's name. */
    public static final String NAME = "cuda";

    private static Availability probed;

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
        synchronized (CudaBackendProvider.class) {
            if (probed == null) {
                probed = probe();
            }
            return probed;
        }
    }

    private static Availability probe() {
        if (Kernels.manifest().isEmpty()) {
            return Availability.unavailable("kernels not built: this build of Backlight was made without nvcc, so it has no CUDA"
                    + " kernels; the CPU backend computes the same maps");
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
        try {
            CudaNativeLoader.load();
            int init = JCudaDriver.cuInit(0);
            if (init != CUresult.CUDA_SUCCESS) {
                return Availability.unavailable("the CUDA driver found no usable GPU: cuInit returned " + CUresult.stringFor(init)
                        + " (" + libraries.describe() + ")");
            }
            int[] count = new int[1];
            int result = JCudaDriver.cuDeviceGetCount(count);
            if (result != CUresult.CUDA_SUCCESS || count[0] < 1) {
                return Availability.unavailable("the CUDA driver reports no GPU (" + CUresult.stringFor(result) + ")");
            }
            int ordinal = ordinal();
            if (ordinal >= count[0]) {
                return Availability.unavailable("GPU " + ordinal + " was asked for (backlight.cuda.device) but the driver reports "
                        + count[0] + " GPU" + (count[0] == 1 ? "" : "s"));
            }
            return Availability.available(libraries.describe() + "; GPU " + ordinal + " of " + count[0]
                    + "; math " + MathMode.configured().label());
        } catch (RuntimeException | LinkageError e) {
            return Availability.unavailable("loading the CUDA libraries failed: " + e.getMessage());
        }
    }

    /** The GPU to use: {@code backlight.cuda.device} or {@code BACKLIGHT_CUDA_DEVICE}, default 0. */
    static int ordinal() {
        String value = System.getProperty("backlight.cuda.device", System.getenv("BACKLIGHT_CUDA_DEVICE"));
        if (value == null || value.isBlank()) {
            return 0;
        }
        try {
            return Integer.parseInt(value.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("backlight.cuda.device / BACKLIGHT_CUDA_DEVICE is '" + value + "'; give a GPU index (0, 1, ...)");
        }
    }

    @Override
    public List<BackendDetail> details() {
        try {
            List<BackendDetail> out = new ArrayList<>(CudaDetails.of(CudaEnvironment.probe(), Path.of("/proc/driver/nvidia")));
            out.add(new BackendDetail("math", MathMode.configured().label()));
            return out;
        } catch (RuntimeException e) {
            return List.of(new BackendDetail("probe", "failed: " + e));
        }
    }

    @Override
    public boolean supports(ReluRule rule) {
        return rule instanceof BuiltinRule;
    }

    @Override
    public Backend create(BackendOptions options) {
        Availability a = availability();
        if (!a.available()) {
            throw new BackendUnavailableException("backend 'cuda' cannot be used: " + a.reason());
        }
        int device = options.device().orElseGet(CudaBackendProvider::ordinal);
        MathMode math = options.precision() == dev.backlight.api.backend.Precision.TF32 ? MathMode.TF32 : MathMode.configured();
        return new CudaBackend(CudaContext.open(device, math));
    }
}
