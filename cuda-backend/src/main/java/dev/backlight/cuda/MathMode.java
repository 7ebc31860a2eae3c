package dev.backlight.cuda;

import java.util.Locale;

/**
 * How the CUDA backend's convolutions and matrix products compute. {@link #FP32} is the default:
 * full float32 with fused multiply-adds only ({@code CUDNN_FMA_MATH}, cuBLAS without tensor
 * cores), so maps agree with the CPU backend within 1e-4. {@link #TF32} lets cuDNN and cuBLAS use
 * TF32 tensor cores (10-bit mantissa products): faster on Ampere and later, less exact; results
 * made with it say so.
 *
 * <p>Chosen with the system property {@code backlight.cuda.math} or the environment variable
 * {@code BACKLIGHT_CUDA_MATH} ({@code fp32} or {@code tf32}).
 */
enum MathMode {
    FP32("fp32 (CUDNN_FMA_MATH, no TF32)"),
    TF32("tf32 (tensor cores; less exact than fp32)");

    private final String label;

    MathMode(String label) {
        this.label = label;
    }

    String label() {
        return label;
    }

    /** The configured mode. */
    static MathMode configured() {
        String value = System.getProperty("backlight.cuda.math", System.getenv("BACKLIGHT_CUDA_MATH"));
        if (value == null || value.isBlank()) {
            return FP32;
        }
        return switch (value.trim().toLowerCase(Locale.ROOT)) {
            case "fp32" -> FP32;
            case "tf32" -> TF32;
            default -> throw new IllegalArgumentException("backlight.cuda.math / BACKLIGHT_CUDA_MATH is '" + value
                    + "'; use fp32 (the default, exact) or tf32");
        };
    }
}
