package dev.backlight.densenet.weights;

/**
 * Widens IEEE 754 binary16 ("half", safetensors {@code F16}) and bfloat16 ({@code BF16}) values to
 * float32. Both conversions are exact: every half and bfloat16 value, subnormals, infinities, NaN
 * and signed zero included, is representable as a float32. Stateless and thread-safe.
 */
final class HalfFloats {
    private static final int HALF_EXPONENT_MAX = 0x1f;
    /** float32 exponent bias (127) minus half's (15). */
    private static final int REBIAS = 112;

    private HalfFloats() {}

    /** The float32 value of the binary16 bits in the low 16 bits of {@code bits}. */
    static float halfToFloat(int bits) {
        int sign = (bits & 0x8000) << 16;
        int exponent = (bits >>> 10) & HALF_EXPONENT_MAX;
        int mantissa = bits & 0x3ff;
        if (exponent == HALF_EXPONENT_MAX) {
            // infinity (mantissa 0) or NaN; the payload moves to the top of float32's mantissa
            return Float.intBitsToFloat(sign | 0x7f800000 | mantissa << 13);
        }
        if (exponent == 0) {
            // zero or subnormal: mantissa * 2^-24, exact because both factors are exact in float32
            float magnitude = mantissa * 0x1p-24f;
            return sign == 0 ? magnitude : -magnitude;
        }
        return Float.intBitsToFloat(sign | (exponent + REBIAS) << 23 | mantissa << 13);
    }

    /** The float32 value of the bfloat16 bits in the low 16 bits of {@code bits}. */
    static float bfloat16ToFloat(int bits) {
        // bfloat16 is the upper half of a float32
        return Float.intBitsToFloat((bits & 0xffff) << 16);
    }
}
