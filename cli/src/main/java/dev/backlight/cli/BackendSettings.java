package dev.backlight.cli;

import dev.backlight.api.backend.BackendOptions;
import dev.backlight.api.backend.Precision;
import dev.backlight.api.internal.Settings;
import java.util.Optional;

/**
 * The backend options of a command: {@code --threads}, and the GPU settings the command line takes
 * from the environment (the library itself reads no global setting): the GPU index
 * ({@code BACKLIGHT_CUDA_DEVICE}, or the system property {@code backlight.cuda.device}), the
 * arithmetic ({@code BACKLIGHT_CUDA_MATH} / {@code backlight.cuda.math}: {@code fp32} or {@code tf32})
 * and how convolution algorithms are chosen ({@code BACKLIGHT_CUDA_ALGORITHMS} /
 * {@code backlight.cuda.algorithms}: {@code heuristics} or {@code find}), passed to the CUDA backend
 * as its {@code BackendOptions}.
 */
public final class BackendSettings {
    private BackendSettings() {
    }

    /**
     * The options for {@code threads} worker threads on backend {@code backend}, with the
     * environment's GPU settings when it is {@code cuda}.
     *
     * @throws IllegalArgumentException if a GPU setting is malformed, naming it
     */
    public static BackendOptions options(int threads, String backend) {
        BackendOptions.Builder b = BackendOptions.builder().threads(threads);
        if (!backend.equals("cuda")) {
            return b.build();
        }
        Optional<String> device = Settings.get("backlight.cuda.device", "BACKLIGHT_CUDA_DEVICE");
        if (device.isPresent()) {
            try {
                b.device(Integer.parseInt(device.get()));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("BACKLIGHT_CUDA_DEVICE / backlight.cuda.device is '" + device.get()
                        + "'; give a GPU index (0, 1, ...)", e);
            }
        }
        Optional<String> math = Settings.get("backlight.cuda.math", "BACKLIGHT_CUDA_MATH");
        if (math.isPresent()) {
            try {
                b.precision(Precision.byId(math.get()));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("BACKLIGHT_CUDA_MATH / backlight.cuda.math is '" + math.get()
                        + "'; give fp32 (the default, exact) or tf32", e);
            }
        }
        Settings.get("backlight.cuda.algorithms", "BACKLIGHT_CUDA_ALGORITHMS").ifPresent(v -> b.property("cuda.algorithms", v));
        return b.build();
    }
}
