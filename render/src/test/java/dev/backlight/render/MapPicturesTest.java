package dev.backlight.render;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.backlight.api.Shape;
import dev.backlight.api.Tensor;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Rendering of maps, the banner, and PNG text chunks. */
class MapPicturesTest {

    @Test
    void minMaxNormalisesOverAllChannelsOfOneImage() {
        // Two images of 3x1x2; the second image's range must not affect the first.
        float[] v = {
            -1f, 0f, // R of image 0
            1f, 3f, // G
            -1f, 1f, // B
            100f, 100f, 100f, 100f, 100f, -100f};
        BufferedImage first = MapPictures.rgb(Tensor.of(Shape.of(2, 3, 1, 2), v), 0);

        assertEquals(rgb(0, 127, 0), first.getRGB(0, 0) & 0xFFFFFF); // (x + 1) / 4 * 255, truncated
        assertEquals(rgb(63, 255, 127), first.getRGB(1, 0) & 0xFFFFFF);
    }

    @Test
    void aConstantMapRendersBlack() {
        BufferedImage image = MapPictures.rgb(Tensor.zeros(Shape.of(1, 3, 4, 4)), 0);

        for (int y = 0; y < 4; y++) {
            for (int x = 0; x < 4; x++) {
                assertEquals(0, image.getRGB(x, y) & 0xFFFFFF);
            }
        }
    }

    @Test
    void theBannerIsDrawnAcrossTheBottom() {
        BufferedImage image = MapPictures.rgb(gaussian(Shape.of(1, 3, 224, 224), 3), 0);
        assertFalse(Banners.present(image), "a random map already looks like a banner");

        Banner.draw(image, "random weights - not a trained model");

        assertTrue(Banners.present(image));
        assertEquals(224, image.getWidth());
        assertEquals(224, image.getHeight());
    }

    @Test
    void pngTextChunksRoundTrip(@TempDir Path dir) throws IOException {
        BufferedImage image = MapPictures.rgb(gaussian(Shape.of(1, 3, 8, 8), 4), 0);
        Map<String, String> text = new LinkedHashMap<>();
        text.put("Software", "backlight test");
        text.put("Warning", "random weights - not a trained model");
        Path png = dir.resolve("map.png");

        PngFiles.write(png, image, text);

        assertEquals(text, PngText.entries(png));
        BufferedImage read = PngText.read(png);
        for (int y = 0; y < 8; y++) {
            for (int x = 0; x < 8; x++) {
                assertEquals(image.getRGB(x, y), read.getRGB(x, y));
            }
        }
        try (var listing = Files.list(dir)) {
            assertEquals(1, listing.count(), "a temporary file was left behind");
        }
    }

    private static Tensor gaussian(Shape shape, long seed) {
        java.util.SplittableRandom random = new java.util.SplittableRandom(seed);
        float[] v = new float[shape.size()];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) (random.nextGaussian());
        }
        return Tensor.of(shape, v);
    }

    private static int rgb(int r, int g, int b) {
        return r << 16 | g << 8 | b;
    }
}
