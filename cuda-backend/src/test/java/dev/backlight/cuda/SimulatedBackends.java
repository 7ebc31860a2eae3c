package dev.backlight.cuda;

import dev.backlight.api.backend.BackendOptions;

/** Builds CUDA backends on a {@link SimulatedGpu}, for tests outside this package. */
public final class SimulatedBackends {
    private SimulatedBackends() {
    }

    /** A CUDA backend whose device is simulated on the host with {@code limitBytes} of memory. */
    public static CudaBackend create(long limitBytes) {
        return new CudaBackend(new SimulatedGpu(limitBytes));
    }

    /** The same, with the settings (math mode, algorithm search) the options give; the device index is ignored. */
    public static CudaBackend create(long limitBytes, BackendOptions options) {
        return new CudaBackend(new SimulatedGpu(limitBytes, CudaSettings.of(options)));
    }
}
