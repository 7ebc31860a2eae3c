package dev.backlight.cuda;

/** Builds CUDA backends on a {@link SimulatedGpu}, for tests outside this package. */
public final class SimulatedBackends {
    private SimulatedBackends() {
    }

    /** A CUDA backend whose device is simulated on the host with {@code limitBytes} of memory. */
    public static CudaBackend create(long limitBytes) {
        return new CudaBackend(new SimulatedGpu(limitBytes));
    }
}
