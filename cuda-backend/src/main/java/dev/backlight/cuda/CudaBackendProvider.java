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
 * once every library it needs was found; the outcome (libraries, driver, how many GPUs) is
 * computed once per JVM.
 *
 * <p>Each backend takes its settings from the {@link BackendOptions} it is created with, and from
 * nothing else (no system property, no environment variable), so one JVM can drive two GPUs, or
 * one GPU in two modes, with two backends that share no state:
 * <table>
 *   <caption>Settings of the CUDA backend</caption>
 *   <tr><th>option</th><th>meaning</th></tr>
 *   <tr><td>{@link BackendOptions#device()}</td><td>the GPU ordinal, as the CUDA driver counts them; default 0</td></tr>
 *   <tr><td>{@link BackendOptions#precision()}</td><td>{@code FP32} (default: {@code CUDNN_FMA_MATH}, no TF32,
 *       no FFT or Winograd convolutions; the same maps as the CPU backend within 1e-4) or {@code TF32}
 *       (tensor cores: faster, less exact)</td></tr>
 *   <tr><td>{@code property("cuda.algorithms")}</td><td>{@code heuristics} (default: cuDNN's heuristics choose each
 *       convolution's algorithm, nothing is run to choose) or {@code find} (cuDNN measures every algorithm on the
 *       first batch, slower to start)</td></tr>
 * </table>
 * Either way an algorithm is chosen once per convolution geometry and backend, never per batch
 * size, so an image's map does not depend on the batch it is computed in. Other {@code cuda.*}
 * properties are refused; properties of other backends are ignored.
 */
public final class CudaBackendProvider implements BackendProvider {
    /** The backend's name. */
    public static final String NAME = "cuda";

    private static Probe probed;

    /** The outcome of the probe, and how many GPUs the driver reported. */
    private record Probe(Availability availability, int gpus) {
    }

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
        return probe().availability();
    }

    private static Probe probe() {
        synchronized (CudaBackendProvider.class) {
            if (probed == null) {
                probed = runProbe();
            }
            return probed;
        }
    }

    private static Probe runProbe() {
        if (Kernels.manifest().isEmpty()) {
            return new Probe(Availability.unavailable("kernels not built: this build of Backlight was made without nvcc, so it has no"
                    + " CUDA kernels; the CPU backend computes the same maps"), 0);
        }
        CudaLibraries libraries;
        try {
            libraries = CudaEnvironment.probe();
        } catch (RuntimeException e) {
            return new Probe(Availability.unavailable("probing for CUDA libraries failed: " + e), 0);
        }
        if (!libraries.complete()) {
            return new Probe(Availability.unavailable(libraries.describe()), 0);
        }
        try {
            CudaNativeLoader.load();
            int init = JCudaDriver.cuInit(0);
            if (init != CUresult.CUDA_SUCCESS) {
                return new Probe(Availability.unavailable("the CUDA driver found no usable GPU: cuInit returned " + CUresult.stringFor(init)
                        + " (" + libraries.describe() + ")"), 0);
            }
            int[] count = new int[1];
            int result = JCudaDriver.cuDeviceGetCount(count);
            if (result != CUresult.CUDA_SUCCESS || count[0] < 1) {
                return new Probe(Availability.unavailable("the CUDA driver reports no GPU (" + CUresult.stringFor(result) + ")"), 0);
            }
            return new Probe(Availability.available(libraries.describe() + "; " + count[0] + " GPU" + (count[0] == 1 ? "" : "s")), count[0]);
        } catch (RuntimeException | LinkageError e) {
            return new Probe(Availability.unavailable("loading the CUDA libraries failed: " + e.getMessage()), 0);
        }
    }

    @Override
    public List<BackendDetail> details() {
        try {
            List<BackendDetail> out = new ArrayList<>(CudaDetails.of(CudaEnvironment.probe(), Path.of("/proc/driver/nvidia")));
            out.add(new BackendDetail("settings", "per backend: device (GPU index, default 0), precision (fp32 default, tf32), "
                    + CudaSettings.ALGORITHMS + " (heuristics default, find)"));
            return out;
        } catch (RuntimeException e) {
            return List.of(new BackendDetail("probe", "failed: " + e));
        }
    }

    @Override
    public boolean supports(ReluRule rule) {
        return rule instanceof BuiltinRule;
    }

    /**
     * A CUDA backend on the GPU and with the settings the options give (see the class comment).
     *
     * @throws BackendUnavailableException if CUDA cannot be used here, or the GPU asked for does not exist
     * @throws IllegalArgumentException for an unknown {@code cuda.*} property or a value it does not accept
     */
    @Override
    public Backend create(BackendOptions options) {
        CudaSettings settings = CudaSettings.of(options);
        Probe p = probe();
        if (!p.availability().available()) {
            throw new BackendUnavailableException("backend 'cuda' cannot be used: " + p.availability().reason());
        }
        if (settings.device() >= p.gpus()) {
            throw new BackendUnavailableException("GPU " + settings.device() + " was asked for, but the CUDA driver reports "
                    + p.gpus() + " GPU" + (p.gpus() == 1 ? "" : "s") + " (numbered from 0)");
        }
        return new CudaBackend(CudaContext.open(settings));
    }
}
