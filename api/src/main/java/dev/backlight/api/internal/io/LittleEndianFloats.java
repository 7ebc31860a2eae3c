package dev.backlight.api.internal.io;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.WritableByteChannel;

/**
 * Writes float32 arrays as little-endian bytes, the layout of {@code .npy} ({@code '<f4'}) and
 * safetensors ({@code F32}) data, through a bounded buffer with bulk {@code FloatBuffer} copies.
 *
 * <p>Stateless and thread-safe; the caller owns the channel.
 */
public final class LittleEndianFloats {
    /** Bytes staged per channel write: large enough to amortise the call, small enough to ignore. */
    public static final int CHUNK_BYTES = 1 << 20;

    private LittleEndianFloats() {}

    /**
     * Writes every element of {@code values} to {@code channel}, 4 bytes each, little-endian.
     *
     * @throws IOException if the channel fails
     */
    public static void write(WritableByteChannel channel, float[] values) throws IOException {
        ByteBuffer bytes = ByteBuffer.allocate(4 * Math.min(CHUNK_BYTES / 4, Math.max(1, values.length)))
                .order(ByteOrder.LITTLE_ENDIAN);
        int perChunk = bytes.capacity() / 4;
        for (int from = 0; from < values.length; from += perChunk) {
            int count = Math.min(perChunk, values.length - from);
            bytes.clear();
            bytes.asFloatBuffer().put(values, from, count);
            bytes.limit(count * 4);
            while (bytes.hasRemaining()) {
                channel.write(bytes);
            }
        }
    }
}
