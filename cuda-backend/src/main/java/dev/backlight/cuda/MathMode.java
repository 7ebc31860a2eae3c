package dev.backlight.cuda;

import dev.backlight.api.backend.Precision;

/**
 * How the CUDA backend's convolutions and matrix products compute. {@link #FP32} is the default:
 * full float32 with fused multiply-adds only ({@code CUDNN_FMA_MATH}, cuBLAS without tensor
 * cores, no FFT or Winograd convolutions), so maps agree with the CPU backend within 1e-4.
 * {@link #TF32} lets cuDNN and cuBLAS use TF32 tensor cores (10-bit mantissa products) and every
 * deterministic algorithm: faster on Ampere and later, less exact; results made with it say so.
 *
 * <p>Each backend takes its mode from the {@link Precision} of the options it is created with.
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

    /** The mode for a precision. */
    static MathMode of(Precision precision) {
        return switch (precision) {
            case FP32 -> FP32;
            case TF32 -> TF32;
        };
    }
}
