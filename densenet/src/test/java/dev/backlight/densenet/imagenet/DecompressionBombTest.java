package dev.backlight.densenet.imagenet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.CRC32;
import java.util.zip.Deflater;
import java.util.zip.DeflaterOutputStream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Decompression bombs: {@link ImageLoader} refuses an image that declares more pixels than its
 * limit from the header alone, before decoding, so that a tiny file cannot make it allocate
 * gigabytes. The bomb is a real, valid PNG: 20000×20000 one-bit gray pixels, all black, 49 KB on
 * disk, that would need 50 MB as packed bits and 1.6 GB as RGB. JPEG, GIF and BMP files are small
 * real images whose header is patched to declare 65000×65000 (or 50000×50000) pixels. A metadata
 * bomb, a small PNG whose compressed text chunk inflates to 100 MB, is read without inflating it.
 */
class DecompressionBombTest {
    /** Generous for a 2-core machine under load; the refusal itself takes a few milliseconds. */
    private static final long MAX_REFUSAL_MILLIS = 2_000;
    /** Reading the header allocates well under this; decoding the bomb's bits alone would take 50 MB. */
    private static final long MAX_REFUSAL_BYTES = 16L << 20;

    @TempDir
    Path temp;

    @Test
    void aPngBombIsRefusedFromItsHeaderWithoutAllocatingItsPixels() throws IOException {
        Path bomb = Files.write(temp.resolve("bomb.png"), onebitPng(20_000, 20_000));
        assertTrue(Files.size(bomb) < 100_000, "the bomb should be small on disk: " + Files.size(bomb));

        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long thread = Thread.currentThread().getId();
        // Warm up ImageIO's plugin registry outside the measurement.
        ImageLoader.read(Files.write(temp.resolve("small.png"), onebitPng(8, 8)));
        long allocatedBefore = threads.getThreadAllocatedBytes(thread);
        long start = System.nanoTime();
        ImageTooLargeException e = assertThrows(ImageTooLargeException.class, () -> ImageLoader.read(bomb));
        long millis = (System.nanoTime() - start) / 1_000_000;
        long allocated = threads.getThreadAllocatedBytes(thread) - allocatedBefore;

        assertTrue(millis < MAX_REFUSAL_MILLIS, "refusing the bomb took " + millis + " ms");
        assertTrue(allocated < MAX_REFUSAL_BYTES, "refusing the bomb allocated " + (allocated >> 20) + " MiB");
        assertEquals(20_000, e.width());
        assertEquals(20_000, e.height());
        assertEquals(400_000_000L, e.pixels());
        assertEquals(ImageLoader.DEFAULT_MAX_PIXELS, e.limit());
        for (String part : new String[] {bomb.toString(), "20000x20000", "400,000,000 pixels", "limit of 100,000,000",
                ImageLoader.MAX_PIXELS_PROPERTY}) {
            assertTrue(e.getMessage().contains(part), "the message should mention '" + part + "': " + e.getMessage());
        }
    }

    @Test
    void theLimitIsInclusiveAndCanBeRaisedPerCall() throws IOException {
        Path file = Files.write(temp.resolve("2000.png"), onebitPng(2_000, 2_000));

        BufferedImage image = ImageLoader.read(file, ImageLoader.DEFAULT_BACKGROUND, 4_000_000);
        assertEquals(2_000, image.getWidth());
        assertEquals(0, image.getRGB(1_999, 1_999) & 0xFFFFFF, "all black");
        ImageTooLargeException e = assertThrows(ImageTooLargeException.class,
                () -> ImageLoader.read(file, ImageLoader.DEFAULT_BACKGROUND, 3_999_999));
        assertEquals(3_999_999, e.limit());
        assertThrows(IllegalArgumentException.class, () -> ImageLoader.read(file, ImageLoader.DEFAULT_BACKGROUND, 0));
    }

    @Test
    void theSystemPropertySetsTheDefaultLimit() throws IOException {
        Path lion = SharedTestData.file("images/lion.jpg"); // 1280x960 = 1,228,800 pixels
        String old = System.getProperty(ImageLoader.MAX_PIXELS_PROPERTY);
        try {
            System.setProperty(ImageLoader.MAX_PIXELS_PROPERTY, "1_228_799");
            ImageTooLargeException e = assertThrows(ImageTooLargeException.class, () -> ImageLoader.read(lion));
            assertEquals(1_228_799, e.limit());
            assertTrue(e.getMessage().contains("1280x960"), e.getMessage());

            System.setProperty(ImageLoader.MAX_PIXELS_PROPERTY, "1228800");
            assertEquals(1280, ImageLoader.read(lion).getWidth());

            System.setProperty(ImageLoader.MAX_PIXELS_PROPERTY, "lots");
            IllegalArgumentException bad = assertThrows(IllegalArgumentException.class, () -> ImageLoader.read(lion));
            assertTrue(bad.getMessage().contains(ImageLoader.MAX_PIXELS_PROPERTY + "=lots"), bad.getMessage());
        } finally {
            if (old == null) {
                System.clearProperty(ImageLoader.MAX_PIXELS_PROPERTY);
            } else {
                System.setProperty(ImageLoader.MAX_PIXELS_PROPERTY, old);
            }
        }
    }

    @Test
    void jpegGifAndBmpHeadersDeclaringHugeImagesAreRefused() throws IOException {
        BufferedImage small = new BufferedImage(16, 16, BufferedImage.TYPE_INT_RGB);
        Path jpeg = Files.write(temp.resolve("huge.jpg"), patchJpeg(encode(small, "jpeg"), 65_000, 65_000));
        Path gif = Files.write(temp.resolve("huge.gif"), patchGif(encode(small, "gif"), 65_000, 65_000));
        Path bmp = Files.write(temp.resolve("huge.bmp"), patchBmp(encode(small, "bmp"), 50_000, 50_000));

        for (Path file : new Path[] {jpeg, gif, bmp}) {
            long start = System.nanoTime();
            ImageTooLargeException e = assertThrows(ImageTooLargeException.class, () -> ImageLoader.read(file),
                    file.toString());
            long millis = (System.nanoTime() - start) / 1_000_000;
            assertTrue(millis < MAX_REFUSAL_MILLIS, file + " took " + millis + " ms");
            assertTrue(e.pixels() >= 2_500_000_000L, file + ": " + e.getMessage());
            assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
        }
    }

    /**
     * A valid PNG of {@code width × height} black pixels, one bit each: IHDR, one IDAT of the
     * deflated rows (a filter byte of 0, then zero bytes), IEND.
     */
    static byte[] onebitPng(int width, int height) throws IOException {
        ByteArrayOutputStream png = new ByteArrayOutputStream();
        png.write(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'});
        ByteBuffer ihdr = ByteBuffer.allocate(13).putInt(width).putInt(height)
                .put((byte) 1).put((byte) 0).put((byte) 0).put((byte) 0).put((byte) 0);
        chunk(png, "IHDR", ihdr.array());
        ByteArrayOutputStream idat = new ByteArrayOutputStream();
        byte[] row = new byte[1 + (width + 7) / 8];
        try (DeflaterOutputStream z = new DeflaterOutputStream(idat, new Deflater(Deflater.BEST_COMPRESSION), 1 << 16)) {
            for (int y = 0; y < height; y++) {
                z.write(row);
            }
        }
        chunk(png, "IDAT", idat.toByteArray());
        chunk(png, "IEND", new byte[0]);
        return png.toByteArray();
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

    /** Without PNG metadata ignored, this read allocated 300 MB (600 MB for a 200 MB chunk). */
    @Test
    void aPngTextChunkThatInflatesTo100MegabytesIsNotInflated() throws IOException {
        Path file = Files.write(temp.resolve("ztxt.png"), pngWithText(100));
        assertTrue(Files.size(file) < 200_000, "small on disk: " + Files.size(file));
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long thread = Thread.currentThread().getId();
        long allocatedBefore = threads.getThreadAllocatedBytes(thread);

        BufferedImage image = ImageLoader.read(file);

        long allocated = threads.getThreadAllocatedBytes(thread) - allocatedBefore;
        assertTrue(allocated < MAX_REFUSAL_BYTES, "reading allocated " + (allocated >> 20) + " MiB");
        assertEquals(8, image.getWidth());
        assertEquals(0xFFFFFF, image.getRGB(0, 0) & 0xFFFFFF, "palette entry 0 is transparent (tRNS): white");
        assertEquals(0xFF0000, image.getRGB(7, 7) & 0xFFFFFF, "palette entry 1 is red");
    }

    /**
     * An 8×8 palette PNG (entry 0 transparent through tRNS, entry 1 red; the top row entry 0, the
     * rest 1) with a {@code zTXt} "Comment" of {@code megabytes} MB of the letter a.
     */
    static byte[] pngWithText(int megabytes) throws IOException {
        ByteArrayOutputStream png = new ByteArrayOutputStream();
        png.write(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'});
        chunk(png, "IHDR", ByteBuffer.allocate(13).putInt(8).putInt(8)
                .put((byte) 8).put((byte) 3).put((byte) 0).put((byte) 0).put((byte) 0).array());
        chunk(png, "PLTE", new byte[] {0, 0, 0, (byte) 255, 0, 0});
        chunk(png, "tRNS", new byte[] {0});
        ByteArrayOutputStream text = new ByteArrayOutputStream();
        text.writeBytes("Comment".getBytes(StandardCharsets.US_ASCII));
        text.write(0); // end of keyword
        text.write(0); // compression method: deflate
        byte[] letters = new byte[1 << 20];
        Arrays.fill(letters, (byte) 'a');
        try (DeflaterOutputStream z = new DeflaterOutputStream(text, new Deflater(Deflater.BEST_COMPRESSION), 1 << 16)) {
            for (int i = 0; i < megabytes; i++) {
                z.write(letters);
            }
        }
        chunk(png, "zTXt", text.toByteArray());
        ByteArrayOutputStream idat = new ByteArrayOutputStream();
        try (DeflaterOutputStream z = new DeflaterOutputStream(idat)) {
            for (int y = 0; y < 8; y++) {
                z.write(0); // filter: none
                for (int x = 0; x < 8; x++) {
                    z.write(y == 0 ? 0 : 1);
                }
            }
        }
        chunk(png, "IDAT", idat.toByteArray());
        chunk(png, "IEND", new byte[0]);
        return png.toByteArray();
    }

    private static byte[] encode(BufferedImage image, String format) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        assertTrue(ImageIO.write(image, format, bytes), "no " + format + " writer");
        return bytes.toByteArray();
    }

    /** Sets the dimensions in the JPEG's start-of-frame segment, found by walking the marker segments. */
    private static byte[] patchJpeg(byte[] jpeg, int width, int height) {
        int at = 2;
        while (at + 4 < jpeg.length) {
            int marker = jpeg[at + 1] & 0xFF;
            int length = (jpeg[at + 2] & 0xFF) << 8 | jpeg[at + 3] & 0xFF;
            if (marker >= 0xC0 && marker <= 0xC3) {
                ByteBuffer.wrap(jpeg, at + 5, 4).putShort((short) height).putShort((short) width);
                return jpeg;
            }
            at += 2 + length;
        }
        throw new AssertionError("no start-of-frame segment");
    }

    /** Sets the logical screen and the first image descriptor of a GIF, found by walking its blocks. */
    private static byte[] patchGif(byte[] gif, int width, int height) {
        ByteBuffer b = ByteBuffer.wrap(gif).order(ByteOrder.LITTLE_ENDIAN);
        b.putShort(6, (short) width).putShort(8, (short) height);
        int flags = gif[10] & 0xFF;
        int at = 13 + ((flags & 0x80) != 0 ? 3 << ((flags & 7) + 1) : 0);
        while (gif[at] == 0x21) { // extension: label, then sub-blocks until an empty one
            at += 2;
            while (gif[at] != 0) {
                at += 1 + (gif[at] & 0xFF);
            }
            at++;
        }
        assertEquals(0x2C, gif[at], "image descriptor");
        b.putShort(at + 5, (short) width).putShort(at + 7, (short) height);
        return gif;
    }

    private static byte[] patchBmp(byte[] bmp, int width, int height) {
        ByteBuffer.wrap(bmp).order(ByteOrder.LITTLE_ENDIAN).putInt(18, width).putInt(22, height);
        return bmp;
    }
}
