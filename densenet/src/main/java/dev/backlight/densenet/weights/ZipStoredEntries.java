package dev.backlight.densenet.weights;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * Finds where the bytes of uncompressed (stored) entries lie in a zip file, so that they can be
 * read from the file directly, or mapped, instead of copied through {@link java.util.zip.ZipFile}'s
 * stream: torch.save stores every storage so, Keras its {@code model.weights.h5}. Only a fast
 * path: the caller has already opened the file with {@link java.util.zip.ZipFile}, which checked
 * its structure, and falls back to the stream for any entry not found here; anything unusual
 * (ZIP64, a name twice, a local header that disagrees with the central directory) leaves the
 * entry out. Every offset is checked against the file before it is used. Stateless.
 */
final class ZipStoredEntries {
    private static final int EOCD = 0x06054b50;
    private static final int CEN = 0x02014b50;
    private static final int LOC = 0x04034b50;
    private static final int EOCD_SIZE = 22;
    private static final int MAX_COMMENT = 0xffff;

    private ZipStoredEntries() {}

    /** Where a stored entry's data starts, and its length. */
    record Range(long offset, long size) {}

    /**
     * The data of every stored entry whose local header agrees with the central directory, by
     * name; empty when the directory cannot be read this way.
     */
    static Map<String, Range> find(FileChannel file) throws IOException {
        long fileSize = file.size();
        if (fileSize < EOCD_SIZE) {
            return Map.of();
        }
        int tailLength = (int) Math.min(fileSize, EOCD_SIZE + MAX_COMMENT);
        ByteBuffer tail = read(file, fileSize - tailLength, tailLength);
        int eocd = -1;
        for (int i = tailLength - EOCD_SIZE; i >= 0; i--) {
            if (tail.getInt(i) == EOCD) {
                eocd = i;
                break;
            }
        }
        if (eocd < 0) {
            return Map.of();
        }
        long cenSize = tail.getInt(eocd + 12) & 0xffffffffL;
        long cenOffset = tail.getInt(eocd + 16) & 0xffffffffL;
        if (cenSize == 0xffffffffL || cenOffset == 0xffffffffL || cenOffset + cenSize > fileSize
                || cenSize > Integer.MAX_VALUE - 8) {
            return Map.of(); // ZIP64 or inconsistent
        }
        ByteBuffer cen = read(file, cenOffset, (int) cenSize);
        Map<String, Range> found = new HashMap<>();
        Set<String> seen = new HashSet<>();
        for (int at = 0; at + 46 <= cenSize; ) {
            if (cen.getInt(at) != CEN) {
                return Map.of();
            }
            int method = cen.getShort(at + 10) & 0xffff;
            long compressed = cen.getInt(at + 20) & 0xffffffffL;
            long size = cen.getInt(at + 24) & 0xffffffffL;
            int nameLength = cen.getShort(at + 28) & 0xffff;
            int extraLength = cen.getShort(at + 30) & 0xffff;
            int commentLength = cen.getShort(at + 32) & 0xffff;
            long localOffset = cen.getInt(at + 42) & 0xffffffffL;
            if (at + 46 + nameLength > cenSize) {
                return Map.of();
            }
            byte[] nameBytes = new byte[nameLength];
            cen.get(at + 46, nameBytes);
            String name = new String(nameBytes, StandardCharsets.UTF_8);
            if (!seen.add(name)) {
                found.remove(name);
            } else if (method == 0 && compressed == size && size != 0xffffffffL) {
                long dataOffset = dataOffset(file, localOffset, nameBytes, fileSize);
                if (dataOffset >= 0 && dataOffset + size <= fileSize) {
                    found.put(name, new Range(dataOffset, size));
                }
            }
            at += 46 + nameLength + extraLength + commentLength;
        }
        return found;
    }

    /** Where the data after a local header starts, or -1 if the header is not the entry's. */
    private static long dataOffset(FileChannel file, long localOffset, byte[] name, long fileSize) throws IOException {
        if (localOffset + 30 + name.length > fileSize) {
            return -1;
        }
        ByteBuffer local = read(file, localOffset, 30 + name.length);
        int nameLength = local.getShort(26) & 0xffff;
        int extraLength = local.getShort(28) & 0xffff;
        if (local.getInt(0) != LOC || nameLength != name.length || !sameName(local, 30, nameLength, name)) {
            return -1;
        }
        return localOffset + 30 + nameLength + extraLength;
    }

    private static boolean sameName(ByteBuffer b, int at, int length, byte[] wanted) {
        if (length != wanted.length) {
            return false;
        }
        for (int i = 0; i < length; i++) {
            if (b.get(at + i) != wanted[i]) {
                return false;
            }
        }
        return true;
    }

    private static ByteBuffer read(FileChannel file, long position, int length) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(length).order(ByteOrder.LITTLE_ENDIAN);
        while (b.hasRemaining()) {
            if (file.read(b, position + b.position()) < 0) {
                throw new java.io.EOFException("the zip file ended early");
            }
        }
        return b.flip();
    }
}
