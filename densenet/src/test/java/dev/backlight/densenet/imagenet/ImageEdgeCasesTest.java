package dev.backlight.densenet.imagenet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.awt.image.Raster;
import java.io.IOException;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;

/**
 * The image-loading edge cases of the test data ({@code testdata/images/edge-cases/}, see its README) come
 * out upright and in the right colours: each is compared with the photo it was made from.
 *
 * <p>Tolerance: PSNR above {@value #MIN_PSNR_DB} dB over R, G and B. Re-encoding a photo as JPEG
 * at quality 90 costs about 35-45 dB; a wrong colour conversion (CMYK taken as RGB, inverted
 * channels) or a wrong orientation gives well under 20 dB, as the checks of the wrong answers
 * below show.
 */
class ImageEdgeCasesTest {
    private static final double MIN_PSNR_DB = 30;
    private static final double WRONG_PSNR_DB = 20;

    private static BufferedImage photo(String name) {
        return ImageLoader.read(SharedTestData.file("images/" + name));
    }

    private static BufferedImage edgeCase(String name) {
        return ImageLoader.read(SharedTestData.file("images/edge-cases/" + name));
    }

    private static void assertClose(BufferedImage expected, BufferedImage actual, String what) {
        double psnr = ImageComparison.psnr(expected, actual);
        assertTrue(psnr > MIN_PSNR_DB, what + ": PSNR " + psnr + " dB <= " + MIN_PSNR_DB);
    }

    @Test
    void cmykJpegHasTheColoursOfItsSource() {
        BufferedImage cmyk = edgeCase("parrot_cmyk.jpg");

        assertEquals(BufferedImage.TYPE_INT_RGB, cmyk.getType());
        assertClose(photo("parrot.jpg"), cmyk, "parrot_cmyk.jpg against parrot.jpg");
    }

    @Test
    void exifOrientationSixIsTurnedUpright() {
        BufferedImage turned = edgeCase("lion_exif_orient6.jpg");
        BufferedImage expected = ImageComparison.shrink(photo("lion.jpg"), 2);

        assertEquals(640, turned.getWidth(), "stored 480x640, shown 640x480");
        assertEquals(480, turned.getHeight());
        assertClose(expected, turned, "lion_exif_orient6.jpg against lion.jpg at 640x480");
        double upsideDown = ImageComparison.psnr(expected, ImageComparison.rotate180(turned));
        assertTrue(upsideDown < WRONG_PSNR_DB, "the comparison cannot tell orientations apart: " + upsideDown + " dB");
    }

    @Test
    void progressiveJpegMatchesTheBaselineOne() {
        assertClose(photo("grace_hopper.jpg"), edgeCase("grace_hopper_progressive.jpg"), "progressive grace_hopper");
    }

    @Test
    void grayJpegIsTheLumaOfItsSourceInAllThreeChannels() {
        BufferedImage gray = edgeCase("lion_gray.jpg");

        for (int y = 0; y < gray.getHeight(); y += 7) {
            for (int x = 0; x < gray.getWidth(); x += 7) {
                int rgb = gray.getRGB(x, y) & 0xFFFFFF;
                assertEquals((rgb & 0xFF) * 0x010101, rgb, "not gray at (" + x + ", " + y + ")");
            }
        }
        assertClose(ImageComparison.luma(photo("lion.jpg")), gray, "lion_gray.jpg against the luma of lion.jpg");
    }

    @Test
    void opaquePartOfTheRgbaPngHasTheColoursOfItsSource() throws IOException {
        BufferedImage owl = photo("owl.jpg");
        BufferedImage rgba = edgeCase("owl_rgba.png");
        Raster alpha = ImageIO.read(SharedTestData.file("images/edge-cases/owl_rgba.png").toFile()).getAlphaRaster();

        double squares = 0;
        long samples = 0;
        for (int y = 0; y < owl.getHeight(); y++) {
            for (int x = 0; x < owl.getWidth(); x++) {
                if (alpha.getSample(x, y, 0) == 255) {
                    for (int shift = 0; shift <= 16; shift += 8) {
                        int d = (owl.getRGB(x, y) >> shift & 0xFF) - (rgba.getRGB(x, y) >> shift & 0xFF);
                        squares += d * d;
                        samples++;
                    }
                }
            }
        }
        assertTrue(samples > 3 * 10_000, "too few opaque pixels: " + samples / 3);
        double psnr = 10 * Math.log10(255.0 * 255.0 / Math.max(squares / samples, 1e-12));
        assertTrue(psnr > MIN_PSNR_DB, "opaque owl_rgba.png pixels against owl.jpg: PSNR " + psnr + " dB");
    }
}
