package dev.backlight.api.backend;

/**
 * The arithmetic a backend uses for convolutions and matrix products. {@link #FP32} is the
 * default and the reference: every backend computes it, and backends agree in it within the
 * project's stated bounds. Other modes are opt-in, labelled in every report, and a backend that
 * does not have one refuses it when created.
 */
public enum Precision {
    /** Full float32 with fused multiply-adds: the reference numbers. */
    FP32,
    /** TF32 tensor-core products (10-bit mantissas) on GPUs that have them: faster, less exact. */
    TF32;

    /** The lower-case name users give, such as {@code fp32}. */
    public String id() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }

    /**
     * The precision named {@code id} ({@code fp32} or {@code tf32}, case ignored).
     *
     * @throws IllegalArgumentException for any other name
     */
    public static Precision byId(String id) {
        for (Precision p : values()) {
            if (p.id().equalsIgnoreCase(id.trim())) {
                return p;
            }
        }
        throw new IllegalArgumentException("unknown precision '" + id + "'; give fp32 (the default, exact) or tf32");
    }
}
