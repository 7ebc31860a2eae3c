package dev.backlight.densenet.imagenet;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.backlight.api.InputFormatException;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;

/**
 * {@link ImageLoader#read(byte[], String, int, long)}, the door for images that arrive as bytes
 * (Spark's {@code binaryFile} rows): every shared test image must give exactly the pixels that
 * reading its file gives (orientation, CMYK, gray, alpha included), a PNG the pixels the JDK's own
 * decoder gives, and bad bytes the same refusals as bad files, named by the name given.
 */
class ImageLoaderBytesTest {
    private static final List<String> IMAGES = List.of("images/lion.jpg", "images/owl.jpg", "images/parrot.jpg",
            "images/grace_hopper.jpg", "images/edge-cases/grace_hopper_progressive.jpg",
            "images/edge-cases/lion_exif_orient6.jpg", "images/edge-cases/lion_gray.jpg",
            "images/edge-cases/owl_rgba.png", "images/edge-cases/parrot_cmyk.jpg");

    @Test
    void bytesGiveTheSamePixelsAsTheFile() throws IOException {
        for (String relative : IMAGES) {
            Path file = SharedTestData.file(relative);
            for (int background : new int[] {ImageLoader.DEFAULT_BACKGROUND, 0x123456}) {
                BufferedImage fromFile = ImageLoader.read(file, background, ImageLoader.DEFAULT_MAX_PIXELS);
                BufferedImage fromBytes = ImageLoader.read(Files.readAllBytes(file), relative, background,
                        ImageLoader.DEFAULT_MAX_PIXELS);
                assertEquals(BufferedImage.TYPE_INT_RGB, fromBytes.getType(), relative);
                assertArrayEquals(rgb(fromFile), rgb(fromBytes), relative + " on background " + Integer.toHexString(background));
            }
        }
    }

    @Test
    void aPngGivesThePixelsOfTheJdkDecoder() throws IOException {
        // An independent reference: a seeded random RGB picture, encoded and decoded by the JDK alone.
        Random random = new Random(42);
        BufferedImage picture = new BufferedImage(37, 23, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < picture.getHeight(); y++) {
            for (int x = 0; x < picture.getWidth(); x++) {
                picture.setRGB(x, y, random.nextInt(1 << 24));
            }
        }
        java.io.ByteArrayOutputStream png = new java.io.ByteArrayOutputStream();
        ImageIO.write(picture, "png", png);
        BufferedImage reference = ImageIO.read(new ByteArrayInputStream(png.toByteArray()));

        BufferedImage read = ImageLoader.read(png.toByteArray(), "random.png", ImageLoader.DEFAULT_BACKGROUND,
                ImageLoader.DEFAULT_MAX_PIXELS);

        assertArrayEquals(rgb(reference), rgb(read));
        assertArrayEquals(rgb(picture), rgb(read), "PNG is lossless");
    }

    @Test
    void theBytesAreNotChanged() throws IOException {
        byte[] bytes = Files.readAllBytes(SharedTestData.file("images/edge-cases/lion_exif_orient6.jpg"));
        byte[] before = bytes.clone();

        ImageLoader.read(bytes, "lion", ImageLoader.DEFAULT_BACKGROUND, ImageLoader.DEFAULT_MAX_PIXELS);

        assertArrayEquals(before, bytes);
    }

    @Test
    void truncatedBytesAreRefusedAndNamed() throws IOException {
        byte[] whole = Files.readAllBytes(SharedTestData.file("images/lion.jpg"));
        byte[] half = Arrays.copyOf(whole, whole.length / 2);

        InputFormatException e = assertThrows(InputFormatException.class,
                () -> ImageLoader.read(half, "hdfs://nn/photos/half.jpg", ImageLoader.DEFAULT_BACKGROUND,
                        ImageLoader.DEFAULT_MAX_PIXELS));

        assertTrue(e.getMessage().contains("hdfs://nn/photos/half.jpg"), e.getMessage());
        assertTrue(e.getMessage().contains("truncated or corrupt") || e.getMessage().contains("cannot decode"),
                e.getMessage());
    }

    @Test
    void emptyNullAndNonImageBytesAreRefused() {
        InputFormatException empty = assertThrows(InputFormatException.class,
                () -> ImageLoader.read(new byte[0], "empty.jpg", ImageLoader.DEFAULT_BACKGROUND, 1000));
        assertTrue(empty.getMessage().contains("empty.jpg is empty"), empty.getMessage());

        InputFormatException none = assertThrows(InputFormatException.class,
                () -> ImageLoader.read(null, "none.jpg", ImageLoader.DEFAULT_BACKGROUND, 1000));
        assertTrue(none.getMessage().contains("none.jpg"), none.getMessage());

        byte[] text = "not an image, just words".getBytes(StandardCharsets.UTF_8);
        InputFormatException notImage = assertThrows(InputFormatException.class,
                () -> ImageLoader.read(text, "notes.jpg", ImageLoader.DEFAULT_BACKGROUND, 1000));
        assertTrue(notImage.getMessage().contains("notes.jpg is not in a recognised image format"), notImage.getMessage());

        assertThrows(IllegalArgumentException.class,
                () -> ImageLoader.read(text, "notes.jpg", ImageLoader.DEFAULT_BACKGROUND, 0));
    }

    @Test
    void aBombIsRefusedFromItsHeader() throws IOException {
        byte[] bomb = DecompressionBombTest.onebitPng(20_000, 20_000);

        ImageTooLargeException e = assertThrows(ImageTooLargeException.class,
                () -> ImageLoader.read(bomb, "s3a://bucket/bomb.png", ImageLoader.DEFAULT_BACKGROUND,
                        ImageLoader.DEFAULT_MAX_PIXELS));

        assertEquals(400_000_000L, e.pixels());
        assertEquals("s3a://bucket/bomb.png", e.name());
        assertNull(e.file());
        assertTrue(e.getMessage().startsWith("s3a://bucket/bomb.png declares a 20000x20000 PNG image"), e.getMessage());
    }

    @Test
    void theLimitIsInclusive() throws IOException {
        byte[] lion = Files.readAllBytes(SharedTestData.file("images/lion.jpg")); // 1280x960 = 1,228,800 pixels

        assertEquals(1280, ImageLoader.read(lion, "lion", ImageLoader.DEFAULT_BACKGROUND, 1_228_800).getWidth());
        ImageTooLargeException e = assertThrows(ImageTooLargeException.class,
                () -> ImageLoader.read(lion, "lion", ImageLoader.DEFAULT_BACKGROUND, 1_228_799));
        assertEquals(1_228_799, e.limit());
    }

    private static int[] rgb(BufferedImage image) {
        return image.getRGB(0, 0, image.getWidth(), image.getHeight(), null, 0, image.getWidth());
    }
}
