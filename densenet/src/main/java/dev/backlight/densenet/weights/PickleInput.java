package dev.backlight.densenet.weights;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;

/**
 * The bytes a pickle is read from: an array (a zip checkpoint's {@code data.pkl}) or a range of a
 * channel (the pickles at the start of a legacy checkpoint, read through a small buffer). Knows
 * how many bytes remain, so that no length is trusted before it is checked. Not thread-safe.
 */
abstract class PickleInput {
    /** The next byte (0..255), or -1 at the end. */
    abstract int read() throws IOException;

    /** Fills {@code into} from the next bytes; the caller has checked that enough remain. */
    abstract void readFully(byte[] into) throws IOException;

    /** Bytes read so far, from the start of the array or channel. */
    abstract long position();

    /** Bytes left to read. */
    abstract long remaining();

    static PickleInput of(byte[] bytes) {
        return new ArrayInput(bytes);
    }

    /** The bytes of {@code channel} from {@code start} to {@code end}; the caller owns the channel. */
    static PickleInput of(SeekableByteChannel channel, long start, long end) {
        return new ChannelInput(channel, start, end);
    }

    private static final class ArrayInput extends PickleInput {
        private final byte[] bytes;
        private int next;

        ArrayInput(byte[] bytes) {
            this.bytes = bytes;
        }

        @Override
        int read() {
            return next < bytes.length ? bytes[next++] & 0xff : -1;
        }

        @Override
        void readFully(byte[] into) {
            System.arraycopy(bytes, next, into, 0, into.length);
            next += into.length;
        }

        @Override
        long position() {
            return next;
        }

        @Override
        long remaining() {
            return bytes.length - next;
        }
    }

    private static final class ChannelInput extends PickleInput {
        private static final int BUFFER_BYTES = 64 * 1024;
        private final SeekableByteChannel channel;
        private final long end;
        private final ByteBuffer buffer;
        /** Channel position of the buffer's first byte. */
        private long bufferStart;

        ChannelInput(SeekableByteChannel channel, long start, long end) {
            this.channel = channel;
            this.end = end;
            this.buffer = ByteBuffer.allocate((int) Math.min(BUFFER_BYTES, Math.max(1, end - start)));
            this.buffer.limit(0);
            this.bufferStart = start;
        }

        @Override
        int read() throws IOException {
            if (!buffer.hasRemaining() && !fill()) {
                return -1;
            }
            return buffer.get() & 0xff;
        }

        @Override
        void readFully(byte[] into) throws IOException {
            int done = 0;
            while (done < into.length) {
                if (!buffer.hasRemaining() && !fill()) {
                    throw new java.io.EOFException("the file ended " + (into.length - done) + " bytes early");
                }
                int n = Math.min(buffer.remaining(), into.length - done);
                buffer.get(into, done, n);
                done += n;
            }
        }

        /** Refills the buffer from the channel; false at the end of the range. */
        private boolean fill() throws IOException {
            bufferStart += buffer.limit();
            buffer.clear();
            long left = end - bufferStart;
            if (left <= 0) {
                buffer.limit(0);
                return false;
            }
            buffer.limit((int) Math.min(buffer.capacity(), left));
            channel.position(bufferStart);
            while (buffer.hasRemaining()) {
                if (channel.read(buffer) < 0) {
                    throw new java.io.EOFException("the file is shorter than its size said");
                }
            }
            buffer.flip();
            return true;
        }

        @Override
        long position() {
            return bufferStart + buffer.position();
        }

        @Override
        long remaining() {
            return end - position();
        }
    }
}
