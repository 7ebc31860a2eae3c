package dev.backlight.cuda;

import dev.backlight.api.backend.BackendOptions;
import java.util.List;
import java.util.Map;

/**
 * What one CUDA backend is created with, read from its {@link BackendOptions} and nothing else
 * (no system property, no environment variable), so that one JVM can drive several GPUs with
 * different settings.
 *
 * @param device the GPU ordinal ({@link BackendOptions#device()}, default 0)
 * @param math the math mode ({@link BackendOptions#precision()})
 * @param algorithms how convolution algorithms are chosen ({@value #ALGORITHMS})
 */
record CudaSettings(int device, MathMode math, AlgorithmSearch algorithms) {
    /** The backend property that chooses the algorithm search: {@code heuristics} or {@code find}. */
    static final String ALGORITHMS = "cuda.algorithms";
    /** Every backend property the CUDA backend knows. */
    static final List<String> PROPERTIES = List.of(ALGORITHMS);
    /** The prefix of the CUDA backend's property names; others are left to other backends. */
    static final String PREFIX = "cuda.";

    /** GPU 0, fp32, heuristics. */
    static final CudaSettings DEFAULTS = new CudaSettings(0, MathMode.FP32, AlgorithmSearch.HEURISTICS);

    CudaSettings {
        if (device < 0) {
            throw new IllegalArgumentException("a GPU index is 0 or more, got " + device);
        }
    }

    /**
     * The settings the options ask for.
     *
     * @throws IllegalArgumentException for a {@code cuda.*} property this backend does not know,
     *     or a value it does not accept
     */
    static CudaSettings of(BackendOptions options) {
        for (Map.Entry<String, String> p : options.properties().entrySet()) {
            if (p.getKey().startsWith(PREFIX) && !PROPERTIES.contains(p.getKey())) {
                throw new IllegalArgumentException("unknown CUDA backend setting '" + p.getKey() + "'; the CUDA backend knows "
                        + String.join(", ", PROPERTIES));
            }
        }
        AlgorithmSearch search = options.property(ALGORITHMS).map(AlgorithmSearch::byId).orElse(AlgorithmSearch.HEURISTICS);
        return new CudaSettings(options.device().orElse(0), MathMode.of(options.precision()), search);
    }

    /** One line, as {@code backlight info} and bench reports show it. */
    String describe() {
        return "GPU " + device + ", math " + math.label() + ", algorithms by " + algorithms.id();
    }
}
