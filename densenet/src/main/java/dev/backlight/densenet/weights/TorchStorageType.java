package dev.backlight.densenet.weights;

import java.nio.ByteBuffer;

/**
 * The storage types a PyTorch state dict may reference (the {@code torch.*Storage} globals the
 * restricted unpickler allows), with their element size and their conversion to float32.
 */
enum TorchStorageType {
    FLOAT("FloatStorage", 4),
    HALF("HalfStorage", 2),
    BFLOAT16("BFloat16Storage", 2),
    /** Narrowed to float32 (rounded to nearest), as {@code tensor.float()} does. */
    DOUBLE("DoubleStorage", 8),
    /** Read only to be dropped: {@code num_batches_tracked}. */
    LONG("LongStorage", 8);

    private final String globalName;
    private final int bytes;

    TorchStorageType(String globalName, int bytes) {
        this.globalName = globalName;
        this.bytes = bytes;
    }

    /** The class name after {@code torch.}, e.g. {@code FloatStorage}. */
    String globalName() {
        return globalName;
    }

    /** Bytes per element. */
    int bytes() {
        return bytes;
    }

    /** Whether its values can become float32 weights. */
    boolean floating() {
        return this != LONG;
    }

    /**
     * Converts {@code count} elements from {@code buffer} (at its position, in its byte order) into
     * {@code out} from {@code offset}.
     */
    void toFloats(ByteBuffer buffer, float[] out, int offset, int count) {
        switch (this) {
            case FLOAT:
                buffer.asFloatBuffer().get(out, offset, count);
                break;
            case HALF: {
                int p = buffer.position();
                for (int i = 0; i < count; i++) {
                    out[offset + i] = HalfFloats.halfToFloat(buffer.getShort(p + 2 * i));
                }
                break;
            }
            case BFLOAT16: {
                int p = buffer.position();
                for (int i = 0; i < count; i++) {
                    out[offset + i] = HalfFloats.bfloat16ToFloat(buffer.getShort(p + 2 * i));
                }
                break;
            }
            case DOUBLE: {
                int p = buffer.position();
                for (int i = 0; i < count; i++) {
                    out[offset + i] = (float) buffer.getDouble(p + 8 * i);
                }
                break;
            }
            default:
                throw new IllegalStateException(this + " storages hold no float values");
        }
    }
}
