package dev.backlight.densenet.imagenet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.backlight.api.InputFormatException;
import java.awt.image.BufferedImage;
import java.awt.image.Raster;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImageLoaderTest {
    @TempDir
    Path temp;

    @Test
    void readsJpegAsIntRgb() {
        BufferedImage image = ImageLoader.read(SharedTestData.file("images/lion.jpg"));

        assertEquals(BufferedImage.TYPE_INT_RGB, image.getType());
        assertEquals(1280, image.getWidth());
        assertEquals(960, image.getHeight());
    }

    @Test
    void grayLevelsAreCopiedUnchangedIntoRgb() throws IOException {
        Path file = SharedTestData.file("images/edge-cases/lion_gray.jpg");
        Raster stored = ImageIO.read(file.toFile()).getRaster();

        BufferedImage image = ImageLoader.read(file);

        assertEquals(BufferedImage.TYPE_INT_RGB, image.getType());
        for (int y = 0; y < image.getHeight(); y += 5) {
            for (int x = 0; x < image.getWidth(); x += 5) {
                int level = stored.getSample(x, y, 0);
                assertEquals(level * 0x010101, image.getRGB(x, y) & 0xFFFFFF, "pixel (" + x + ", " + y + ")");
            }
        }
    }

    @Test
    void alphaIsCompositedOnWhite() throws IOException {
        Path file = SharedTestData.file("images/edge-cases/owl_rgba.png");
        Raster stored = ImageIO.read(file.toFile()).getRaster();

        BufferedImage image = ImageLoader.read(file);

        assertEquals(BufferedImage.TYPE_INT_RGB, image.getType());
        int w = image.getWidth();
        int h = image.getHeight();
        for (int[] corner : new int[][] {{0, 0}, {w - 1, 0}, {0, h - 1}, {w - 1, h - 1}}) {
            assertEquals(0, stored.getSample(corner[0], corner[1], 3), "corner alpha");
            assertEquals(0xFFFFFF, image.getRGB(corner[0], corner[1]) & 0xFFFFFF, "corner " + Arrays.toString(corner));
        }
        int partial = 0;
        for (int y = 0; y < h; y += 3) {
            for (int x = 0; x < w; x += 3) {
                int[] rgba = stored.getPixel(x, y, (int[]) null);
                int actual = image.getRGB(x, y);
                for (int c = 0; c < 3; c++) {
                    long expected = Math.round((rgba[c] * rgba[3] + 255.0 * (255 - rgba[3])) / 255.0);
                    String where = "channel " + c + " at (" + x + ", " + y + ")";
                    assertEquals(expected, actual >> (16 - 8 * c) & 0xFF, where);
                }
                partial += rgba[3] > 0 && rgba[3] < 255 ? 1 : 0;
            }
        }
        assertTrue(partial > 1000, "the test image should have many half-transparent pixels, had " + partial);
    }

    @Test
    void emptyFileIsRejected() throws IOException {
        Path file = Files.createFile(temp.resolve("empty.jpg"));

        assertRejected(file, "empty");
    }

    @Test
    void textFileIsNotAnImage() throws IOException {
        Path file = Files.writeString(temp.resolve("notes.jpg"), "not an image\n", StandardCharsets.US_ASCII);

        assertRejected(file, "not in a recognised image format");
    }

    @Test
    void truncatedJpegIsRejected() throws IOException {
        byte[] jpeg = Files.readAllBytes(SharedTestData.file("images/lion.jpg"));
        Path half = Files.write(temp.resolve("half.jpg"), Arrays.copyOf(jpeg, jpeg.length / 2));
        Path headerOnly = Files.write(temp.resolve("header.jpg"), Arrays.copyOf(jpeg, 300));

        assertRejected(half, "truncated");
        assertRejected(headerOnly, "cannot decode");
    }

    @Test
    void missingFileAndDirectoryAreRejected() {
        assertRejected(temp.resolve("absent.png"), "does not exist");
        assertRejected(temp, "not a readable file");
    }

    private static void assertRejected(Path file, String problem) {
        InputFormatException e = assertThrows(InputFormatException.class, () -> ImageLoader.read(file));
        assertTrue(e.getMessage().contains(file.toString()), "message should name the file: " + e.getMessage());
        assertTrue(e.getMessage().contains(problem), "message should say '" + problem + "': " + e.getMessage());
    }
}
