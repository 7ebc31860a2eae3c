package dev.backlight.densenet.weights;

/**
 * The element types a safetensors header may name, with their size in bytes. Only {@link #F32},
 * {@link #F16} and {@link #BF16} can be loaded; the others are known so that their byte ranges can
 * be checked and their names reported.
 */
enum SafetensorsDtype {
    BOOL(1), U8(1), I8(1), F8_E5M2(1), F8_E4M3(1), F8_E8M0(1),
    I16(2), U16(2), F16(2), BF16(2),
    I32(4), U32(4), F32(4),
    I64(8), U64(8), F64(8), C64(8);

    private final int bytes;

    SafetensorsDtype(int bytes) {
        this.bytes = bytes;
    }

    /** Bytes per element. */
    int bytes() {
        return bytes;
    }

    /** Whether the reader can convert this type to float32. */
    boolean loadable() {
        return this == F32 || this == F16 || this == BF16;
    }

    /** The dtype of this header name, or null when the name is not one of the known types. */
    static SafetensorsDtype byName(String name) {
        for (SafetensorsDtype dtype : values()) {
            if (dtype.name().equals(name)) {
                return dtype;
            }
        }
        return null;
    }
}
