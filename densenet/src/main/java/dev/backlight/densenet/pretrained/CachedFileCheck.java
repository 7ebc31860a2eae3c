package dev.backlight.densenet.pretrained;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * Whether a file in the weights cache is whole, checked cheaply each time it is used, before the
 * weights reader sees it: its size against the expected one when known, and for a safetensors
 * file that its size is exactly what its header declares (8 bytes of length, the header, then the
 * data up to the largest tensor end offset). A file cut short — by a download that was accepted
 * before such checks existed, a disk that filled, a copy that broke off — fails this instead of
 * failing every later run with the reader's "is the file truncated?".
 *
 * <p>Only the framing is checked: the header's JSON is scanned for {@code data_offsets}, nothing
 * else is interpreted (the weights reader checks the rest). A file that does not start like
 * safetensors (8-byte length, then {@code '{'}) is another format and gets the size check only.
 */
final class CachedFileCheck {
    /** As the reader's limit: a larger header is not a safetensors header. */
    private static final long MAX_HEADER_BYTES = 100L * 1000 * 1000;
    private static final JsonFactory JSON = new JsonFactory();

    private CachedFileCheck() {
    }

    /**
     * What is wrong with the cached {@code file}, or empty if nothing is found.
     *
     * @param expectedSize the size it must have, if known
     * @throws IOException if it cannot be read
     */
    static Optional<String> problem(Path file, OptionalLong expectedSize) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = channel.size();
            if (expectedSize.isPresent() && size != expectedSize.getAsLong()) {
                return Optional.of("it has " + size + " bytes, but " + expectedSize.getAsLong() + " are expected");
            }
            if (size < 9) {
                return size == 0 ? Optional.of("it is empty") : Optional.empty();
            }
            ByteBuffer head = ByteBuffer.allocate(9).order(ByteOrder.LITTLE_ENDIAN);
            readFully(channel, head, 0);
            long headerLength = head.getLong(0);
            if (head.get(8) != '{' || headerLength < 2 || headerLength > MAX_HEADER_BYTES) {
                return Optional.empty(); // not safetensors: another format, checked by its reader
            }
            if (8 + headerLength > size) {
                return Optional.of("its safetensors header of " + headerLength + " bytes reaches past the end of the file ("
                        + size + " bytes): the file is cut short");
            }
            ByteBuffer header = ByteBuffer.allocate((int) headerLength);
            readFully(channel, header, 8);
            OptionalLong end = dataEnd(header.array());
            if (end.isEmpty()) {
                return Optional.of("its safetensors header is not valid JSON with data_offsets: the file is damaged");
            }
            long expected = 8 + headerLength + end.getAsLong();
            if (expected != size) {
                return Optional.of("it has " + size + " bytes, but its safetensors header declares " + expected
                        + (size < expected ? ": the file is cut short" : ": the file has bytes after its data"));
            }
            return Optional.empty();
        }
    }

    /** The largest end offset in the header's {@code data_offsets} pairs; empty if the header does not parse. */
    private static OptionalLong dataEnd(byte[] header) {
        long end = 0;
        try (JsonParser parser = JSON.createParser(new String(header, StandardCharsets.UTF_8))) {
            if (parser.nextToken() != JsonToken.START_OBJECT) {
                return OptionalLong.empty();
            }
            int depth = 1;
            boolean inOffsets = false;
            while (depth > 0) {
                JsonToken token = parser.nextToken();
                if (token == null) {
                    return OptionalLong.empty();
                }
                switch (token) {
                    case START_OBJECT -> depth++;
                    case END_OBJECT -> depth--;
                    case START_ARRAY -> inOffsets = "data_offsets".equals(parser.getCurrentName());
                    case END_ARRAY -> inOffsets = false;
                    case VALUE_NUMBER_INT -> {
                        if (inOffsets) {
                            end = Math.max(end, parser.getLongValue());
                        }
                    }
                    default -> {
                    }
                }
            }
            return OptionalLong.of(end);
        } catch (IOException e) {
            return OptionalLong.empty();
        }
    }

    private static void readFully(FileChannel channel, ByteBuffer buffer, long position) throws IOException {
        long at = position;
        while (buffer.hasRemaining()) {
            int n = channel.read(buffer, at);
            if (n < 0) {
                throw new IOException("unexpected end of file");
            }
            at += n;
        }
    }
}
