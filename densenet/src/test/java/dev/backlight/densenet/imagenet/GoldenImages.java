package dev.backlight.densenet.imagenet;

import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import javax.imageio.ImageIO;

/**
 * Inputs and reference outputs made by {@code make_golden.py} (test resources, folder {@code
 * golden/} beside this class), and the synthetic pattern it shares with the tests.
 */
final class GoldenImages {
    private GoldenImages() {}

    /** A PNG from {@code golden/}, decoded by the JDK (lossless, so exactly Pillow's pixels). */
    static BufferedImage png(String name) {
        try (InputStream in = stream(name)) {
            return ImageIO.read(in);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read golden/" + name, e);
        }
    }

    /** A float32 {@code .npy} array from {@code golden/}. */
    static NpyFloat32 npy(String name) {
        try (InputStream in = stream(name)) {
            return NpyFloat32.read(in);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read golden/" + name, e);
        }
    }

    /**
     * The chirp {@code make_golden.py} also draws: channel {@code c} of pixel {@code (x, y)} is
     * {@code (x*x + 2*y*y + x*y + 85*c) mod 256}.
     */
    static BufferedImage pattern(int width, int height) {
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                image.setRGB(x, y, patternValue(x, y, 0) << 16 | patternValue(x, y, 1) << 8 | patternValue(x, y, 2));
            }
        }
        return image;
    }

    /** Channel {@code c} of the pattern at {@code (x, y)}. */
    static int patternValue(int x, int y, int c) {
        return (x * x + 2 * y * y + x * y + 85 * c) % 256;
    }

    private static InputStream stream(String name) {
        InputStream in = GoldenImages.class.getResourceAsStream("golden/" + name);
        assertNotNull(in, "test resource golden/" + name + " is missing; run make_golden.py");
        return in;
    }
}
