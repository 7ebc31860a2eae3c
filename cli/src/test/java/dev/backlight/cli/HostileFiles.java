package dev.backlight.cli;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32;
import java.util.zip.Deflater;
import java.util.zip.DeflaterOutputStream;

/** Image files made to hurt a decoder: decompression bombs and headers that lie about the size. */
public final class HostileFiles {
    private HostileFiles() {
    }

    /**
     * A valid PNG of {@code width × height} black one-bit gray pixels: IHDR, one IDAT of the deflated
     * rows (filter byte 0, then zeros), IEND. 20000×20000 takes 49 KB on disk and would take 1.6 GB
     * decoded to RGB.
     */
    public static byte[] onebitPng(int width, int height) {
        ByteArrayOutputStream png = new ByteArrayOutputStream();
        png.writeBytes(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'});
        chunk(png, "IHDR", ByteBuffer.allocate(13).putInt(width).putInt(height)
                .put((byte) 1).put((byte) 0).put((byte) 0).put((byte) 0).put((byte) 0).array());
        ByteArrayOutputStream idat = new ByteArrayOutputStream();
        byte[] row = new byte[1 + (width + 7) / 8];
        try (DeflaterOutputStream z = new DeflaterOutputStream(idat, new Deflater(Deflater.BEST_COMPRESSION), 1 << 16)) {
            for (int y = 0; y < height; y++) {
                z.write(row);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        chunk(png, "IDAT", idat.toByteArray());
        chunk(png, "IEND", new byte[0]);
        return png.toByteArray();
    }

    /** {@code jpeg} with the dimensions in its start-of-frame segment replaced, found by walking the segments. */
    public static byte[] withJpegSize(byte[] jpeg, int width, int height) {
        byte[] patched = jpeg.clone();
        int at = 2;
        while (at + 4 < patched.length) {
            int marker = patched[at + 1] & 0xFF;
            int length = (patched[at + 2] & 0xFF) << 8 | patched[at + 3] & 0xFF;
            if (marker >= 0xC0 && marker <= 0xC3) {
                ByteBuffer.wrap(patched, at + 5, 4).putShort((short) height).putShort((short) width);
                return patched;
            }
            at += 2 + length;
        }
        throw new AssertionError("no start-of-frame segment");
    }

    private static void chunk(ByteArrayOutputStream png, String type, byte[] data) {
        byte[] name = type.getBytes(StandardCharsets.US_ASCII);
        CRC32 crc = new CRC32();
        crc.update(name);
        crc.update(data);
        png.writeBytes(ByteBuffer.allocate(4).putInt(data.length).array());
        png.writeBytes(name);
        png.writeBytes(data);
        png.writeBytes(ByteBuffer.allocate(4).putInt((int) crc.getValue()).array());
    }
}
