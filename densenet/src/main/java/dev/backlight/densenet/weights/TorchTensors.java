package dev.backlight.densenet.weights;

import dev.backlight.api.Shape;
import dev.backlight.api.Tensor;
import dev.backlight.api.WeightsFormatException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.ReadableByteChannel;
import java.util.Arrays;

/**
 * Reads the elements of a {@link Pickled.TensorRef} from its storage's bytes into a float32
 * tensor: a contiguous tensor straight into the array the model will use, a strided view through
 * one temporary array of the storage range it covers. Stateless.
 */
final class TorchTensors {
    static final long MAX_ELEMENTS = Integer.MAX_VALUE - 8;
    private static final int CHUNK_BYTES = 1 << 20;

    /** Opens a storage's bytes at a byte offset; each call returns a channel the caller closes. */
    interface StorageBytes {
        ReadableByteChannel open(Pickled.Storage storage, long byteOffset) throws IOException;
    }

    private TorchTensors() {}

    /**
     * The tensor's elements in row-major order, widened or narrowed to float32.
     *
     * @param chunk the buffer bytes pass through, in the file's byte order; its capacity is a
     *     multiple of 8 (see {@link #chunk})
     * @param name the tensor's name, for messages
     * @throws WeightsFormatException if its storage does not hold floats, it is too large for one
     *     Java array, or the bytes end early
     */
    static Tensor read(Pickled.TensorRef t, StorageBytes bytes, ByteBuffer chunk, String name, String source)
            throws IOException {
        TorchStorageType type = t.storage().type();
        if (!type.floating()) {
            throw new WeightsFormatException(source + " holds tensor '" + RestrictedUnpickler.printable(name)
                    + "' of integer type (" + type.globalName() + "); Backlight reads float, half, bfloat16 and double"
                    + " tensors: convert the state dict with {k: v.float() for k, v in sd.items()} before saving");
        }
        long numel = t.numel();
        for (long d : t.size()) {
            if (d > MAX_ELEMENTS) {
                numel = Long.MAX_VALUE;
            }
        }
        if (numel > MAX_ELEMENTS) {
            throw new WeightsFormatException(source + " holds tensor '" + RestrictedUnpickler.printable(name)
                    + "' of size " + Arrays.toString(t.size()) + ", too large for one Java array (at most "
                    + MAX_ELEMENTS + " elements)");
        }
        int[] dims = new int[t.size().length];
        for (int i = 0; i < dims.length; i++) {
            dims[i] = (int) t.size()[i];
        }
        Shape shape = Shape.of(dims);
        float[] values = new float[(int) numel];
        if (numel == 0) {
            return Tensor.of(shape, values);
        }
        long first = t.storage().offset() + t.offset();
        if (t.contiguous()) {
            readElements(t.storage(), first, values, bytes, chunk, name, source);
            return Tensor.of(shape, values);
        }
        // A view: read the range of the storage it spans, then gather. The range lies inside the
        // storage (checked when the pickle was read), whose size was checked against the file.
        long last = t.offset();
        for (int i = 0; i < dims.length; i++) {
            last += (t.size()[i] - 1) * t.stride()[i];
        }
        long span = last - t.offset() + 1;
        if (span > MAX_ELEMENTS) {
            throw new WeightsFormatException(source + " holds tensor '" + RestrictedUnpickler.printable(name)
                    + "', a view spanning " + span + " elements of its storage, too many for one Java array;"
                    + " save tensor.contiguous() instead");
        }
        float[] range = new float[(int) span];
        readElements(t.storage(), first, range, bytes, chunk, name, source);
        gather(range, dims, t.stride(), values);
        return Tensor.of(shape, values);
    }

    /** Copies the strided view of {@code range} (which starts at the view's first element) into {@code out}. */
    private static void gather(float[] range, int[] size, long[] stride, float[] out) {
        int rank = size.length;
        int[] index = new int[rank];
        long at = 0;
        for (int o = 0; o < out.length; o++) {
            out[o] = range[(int) at];
            for (int d = rank - 1; d >= 0; d--) {
                if (++index[d] < size[d]) {
                    at += stride[d];
                    break;
                }
                at -= (long) (size[d] - 1) * stride[d];
                index[d] = 0;
            }
        }
    }

    /**
     * A buffer for reading tensors of at most {@code largestBytes} bytes: no larger than that (small
     * files are read often: tests, fuzzing), at most 1 MiB, a multiple of 8 so that it holds whole
     * elements of every width. One per file, reused for every tensor.
     */
    static ByteBuffer chunk(long largestBytes, ByteOrder order) {
        return ByteBuffer.allocate((int) Math.min(CHUNK_BYTES, Math.max(8, (largestBytes + 7) & ~7L))).order(order);
    }

    private static void readElements(Pickled.Storage storage, long firstElement, float[] out, StorageBytes bytes,
            ByteBuffer chunk, String name, String source) throws IOException {
        int width = storage.type().bytes();
        try (ReadableByteChannel in = bytes.open(storage, firstElement * width)) {
            int done = 0;
            while (done < out.length) {
                int count = Math.min(chunk.capacity() / width, out.length - done);
                chunk.clear().limit(count * width);
                while (chunk.hasRemaining()) {
                    if (in.read(chunk) < 0) {
                        throw new WeightsFormatException(source + " ends inside the data of tensor '"
                                + RestrictedUnpickler.printable(name) + "' (storage '" + storage.key()
                                + "'); the file is truncated: copy it again");
                    }
                }
                chunk.flip();
                storage.type().toFloats(chunk, out, done, count);
                done += count;
            }
        }
    }
}
