package dev.backlight.densenet.weights;

import dev.backlight.api.Shape;
import dev.backlight.api.Tensor;
import dev.backlight.api.Weights;
import dev.backlight.api.WeightsFormatException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.ShortBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads a safetensors file (an 8-byte little-endian header length, a JSON header, then the raw
 * tensor bytes) into float32 {@link Weights}, converting {@code F16} and {@code BF16} exactly.
 *
 * <p>Tensors whose name ends with {@code num_batches_tracked} are skipped unread, whatever their
 * dtype. Every size in the header is checked against the file before anything is allocated; a
 * malformed file, or a tensor of any other dtype, raises a {@link WeightsFormatException} naming
 * the file, the tensor and what to do. The {@code __metadata__} map is checked and dropped.
 *
 * <p>Stateless and thread-safe. The returned weights belong to the caller. To read a file of any
 * format (safetensors, PyTorch, Keras), use {@link WeightsFiles#read}, which calls this for
 * safetensors.
 */
public final class SafetensorsReader {
    /** Larger headers are taken as a sign that the file is not safetensors at all. */
    static final long MAX_HEADER_BYTES = 100L * 1000 * 1000;
    private static final int CHUNK_BYTES = 1 << 20;
    private static final long MAX_ELEMENTS = Integer.MAX_VALUE - 8;

    private SafetensorsReader() {}

    /**
     * Reads all float tensors of {@code file}, in header order.
     *
     * @throws WeightsFormatException if the file cannot be read, is not a well-formed safetensors
     *     file, or holds a tensor of a dtype other than F32, F16 and BF16
     */
    public static Weights read(Path file) {
        String name = file.toString();
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            return read(channel, name);
        } catch (IOException e) {
            throw new WeightsFormatException("cannot read weights file " + name + ": " + e
                    + "; check the path and permissions", e);
        }
    }

    /**
     * Reads all float tensors from {@code channel}, whose size is the whole file; the caller owns
     * the channel. The seam for tests and fuzzing, which read from memory.
     *
     * @param name how messages name the source
     * @throws IOException if the channel fails
     */
    static Weights read(SeekableByteChannel channel, String name) throws IOException {
        long size = channel.size();
        if (size < 8) {
            throw SafetensorsHeader.problem(name, "is shorter than 8 bytes (" + size
                    + "), too short for a safetensors header length");
        }
        ByteBuffer lengthField = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
        readFully(channel, lengthField, 0, name);
        long headerLength = lengthField.flip().getLong();
        if (headerLength < 0 || headerLength > MAX_HEADER_BYTES) {
            throw new WeightsFormatException(name + " declares a header of " + Long.toUnsignedString(headerLength)
                    + " bytes, more than the " + MAX_HEADER_BYTES + " a safetensors header can plausibly need;"
                    + " this is not a safetensors file (a PyTorch or Keras file? WeightsFiles.read finds the format"
                    + " and reads those too)");
        }
        if (headerLength > size - 8) {
            throw SafetensorsHeader.problem(name, "declares a header of " + headerLength
                    + " bytes, larger than the file (" + size + " bytes)");
        }
        ByteBuffer header = ByteBuffer.allocate((int) headerLength);
        readFully(channel, header, 8, name);
        long dataStart = 8 + headerLength;
        List<SafetensorsHeader.Entry> entries = SafetensorsHeader.parse(header.array(), size - dataStart, name);
        return Weights.of(load(channel, dataStart, entries, name), name);
    }

    private static Map<String, Tensor> load(SeekableByteChannel channel, long dataStart,
            List<SafetensorsHeader.Entry> entries, String file) throws IOException {
        long largest = 0;
        for (SafetensorsHeader.Entry e : entries) {
            requireLoadable(e, file);
            largest = e.ignored() ? largest : Math.max(largest, e.end() - e.begin());
        }
        // No larger than the largest tensor (small files are read often: tests, fuzzing); a multiple of 8
        // so that it holds whole elements of every width.
        int chunkBytes = (int) Math.min(CHUNK_BYTES, Math.max(8, (largest + 7) & ~7L));
        ByteBuffer chunk = ByteBuffer.allocate(chunkBytes).order(ByteOrder.LITTLE_ENDIAN);
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        for (SafetensorsHeader.Entry e : entries) {
            if (!e.ignored()) {
                Shape shape = Shape.of(Arrays.stream(e.shape()).mapToInt(d -> (int) d).toArray());
                tensors.put(e.name(), Tensor.of(shape, floats(channel, dataStart, e, chunk, file)));
            }
        }
        return tensors;
    }

    private static void requireLoadable(SafetensorsHeader.Entry e, String file) {
        if (e.ignored()) {
            return;
        }
        if (!e.dtype().loadable()) {
            throw new WeightsFormatException(file + " holds tensor '" + e.name() + "' of dtype " + e.dtypeName()
                    + "; Backlight reads F32, F16 and BF16: convert the state dict with"
                    + " {k: v.float() for k, v in sd.items()} before saving");
        }
        boolean tooLarge = e.elements() > MAX_ELEMENTS;
        for (long d : e.shape()) {
            tooLarge |= d > Integer.MAX_VALUE;
        }
        if (tooLarge) {
            throw new WeightsFormatException(file + " holds tensor '" + e.name() + "' of shape "
                    + Arrays.toString(e.shape()) + ", too large for one Java array (at most " + MAX_ELEMENTS
                    + " elements and dimensions); split the tensor before saving");
        }
    }

    /** Converts the tensor's bytes chunk by chunk; the chunk size is a multiple of every width. */
    private static float[] floats(SeekableByteChannel channel, long dataStart, SafetensorsHeader.Entry e,
            ByteBuffer chunk, String file) throws IOException {
        int width = e.dtype().bytes();
        float[] values = new float[(int) e.elements()];
        long position = dataStart + e.begin();
        for (int done = 0; done < values.length; ) {
            int count = Math.min(chunk.capacity() / width, values.length - done);
            chunk.clear().limit(count * width);
            readFully(channel, chunk, position, file);
            chunk.flip();
            switch (e.dtype()) {
                case F32:
                    chunk.asFloatBuffer().get(values, done, count);
                    break;
                case F16:
                    ShortBuffer halves = chunk.asShortBuffer();
                    for (int i = 0; i < count; i++) {
                        values[done + i] = HalfFloats.halfToFloat(halves.get(i));
                    }
                    break;
                case BF16:
                    ShortBuffer brains = chunk.asShortBuffer();
                    for (int i = 0; i < count; i++) {
                        values[done + i] = HalfFloats.bfloat16ToFloat(brains.get(i));
                    }
                    break;
                default:
                    throw new IllegalStateException("dtype " + e.dtype() + " passed requireLoadable");
            }
            position += (long) count * width;
            done += count;
        }
        return values;
    }

    private static void readFully(SeekableByteChannel channel, ByteBuffer into, long position, String file)
            throws IOException {
        long at = position;
        channel.position(position);
        while (into.hasRemaining()) {
            int read = channel.read(into);
            if (read < 0) {
                throw new WeightsFormatException(file + " ended at byte " + at + " while its header promised more;"
                        + " was it changed while being read? Read it again, or copy it anew");
            }
            at += read;
        }
    }
}
