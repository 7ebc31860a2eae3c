package dev.backlight.densenet.imagenet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageTypeSpecifier;
import javax.imageio.ImageWriter;
import javax.imageio.stream.ImageOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Formats beyond the test photos: WebP (lossless and lossy, through TwelveMonkeys), the first
 * frame of an animated GIF, BMP, a stated background under alpha, and all eight EXIF orientations.
 */
class ImageLoaderFormatsTest {
    @TempDir
    Path temp;

    private Path resource(String name) {
        try (InputStream in = getClass().getResourceAsStream("formats/" + name)) {
            if (in == null) {
                throw new AssertionError("test resource formats/" + name + " is missing");
            }
            Path file = temp.resolve(name);
            Files.copy(in, file, StandardCopyOption.REPLACE_EXISTING);
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Test
    void losslessWebpHasExactlyThePixelsOfThePng() {
        BufferedImage png = ImageLoader.read(resource("owl_128x96.png"));
        BufferedImage webp = ImageLoader.read(resource("owl_128x96_lossless.webp"));

        assertEquals(Double.POSITIVE_INFINITY, ImageComparison.psnr(png, webp));
    }

    @Test
    void lossyWebpIsCloseToThePng() {
        BufferedImage png = ImageLoader.read(resource("owl_128x96.png"));
        BufferedImage webp = ImageLoader.read(resource("owl_128x96_q90.webp"));

        double psnr = ImageComparison.psnr(png, webp);
        assertTrue(psnr > 30, "PSNR " + psnr + " dB");
    }

    @Test
    void animatedGifGivesItsFirstFrame() throws IOException {
        Path gif = temp.resolve("frames.gif");
        writeGif(gif, solid(0xFF0000), solid(0x0000FF), solid(0x00FF00));

        BufferedImage image = ImageLoader.read(gif);

        assertEquals(16, image.getWidth());
        assertEquals(0xFF0000, image.getRGB(5, 5) & 0xFFFFFF, "not the first (red) frame");
    }

    @Test
    void bmpRoundTrips() throws IOException {
        BufferedImage pattern = GoldenImages.pattern(37, 23);
        Path bmp = temp.resolve("pattern.bmp");
        assertTrue(ImageIO.write(pattern, "bmp", bmp.toFile()), "no BMP writer");

        assertEquals(Double.POSITIVE_INFINITY, ImageComparison.psnr(pattern, ImageLoader.read(bmp)));
    }

    @Test
    void alphaIsCompositedOnTheStatedBackground() throws IOException {
        BufferedImage half = new BufferedImage(4, 4, BufferedImage.TYPE_INT_ARGB);
        for (int y = 0; y < 4; y++) {
            for (int x = 0; x < 4; x++) {
                half.setRGB(x, y, x < 2 ? 0x00FF0000 : 0x80FF0000); // transparent red, half-transparent red
            }
        }
        Path png = temp.resolve("half.png");
        ImageIO.write(half, "png", png.toFile());

        BufferedImage onBlack = ImageLoader.read(png, 0x000000);
        BufferedImage onBlue = ImageLoader.read(png, 0x0000FF);

        assertEquals(0x000000, onBlack.getRGB(0, 0) & 0xFFFFFF);
        assertEquals(0x800000, onBlack.getRGB(3, 0) & 0xFFFFFF); // 255 * 128 / 255
        assertEquals(0x0000FF, onBlue.getRGB(0, 0) & 0xFFFFFF);
        assertEquals(0x80007F, onBlue.getRGB(3, 0) & 0xFFFFFF); // blue: 255 * 127 / 255
        assertEquals(0xFFFFFF, ImageLoader.read(png).getRGB(0, 0) & 0xFFFFFF, "white by default");
    }

    /**
     * Each EXIF orientation applied to a stored image gives the upright image. The stored images are
     * made from an asymmetric upright one by the inverse of each orientation's definition (TIFF 6.0:
     * where the stored 0th row and 0th column are shown).
     */
    @Test
    void everyExifOrientationTurnsTheStoredImageUpright() {
        BufferedImage upright = GoldenImages.pattern(7, 4);
        for (int tag = 1; tag <= 8; tag++) {
            BufferedImage stored = store(upright, tag);
            BufferedImage shown = ImageOrientation.ofExif(tag).apply(stored);
            assertEquals(Double.POSITIVE_INFINITY, ImageComparison.psnr(upright, shown), "orientation " + tag);
        }
    }

    /**
     * The image a camera stores for {@code upright} with EXIF orientation {@code tag}: tag 6 means
     * the stored 0th row is the upright right-hand column read top to bottom, and so on.
     */
    private static BufferedImage store(BufferedImage upright, int tag) {
        int w = upright.getWidth();
        int h = upright.getHeight();
        boolean swap = tag >= 5;
        BufferedImage stored = new BufferedImage(swap ? h : w, swap ? w : h, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int[] at = switch (tag) {
                    case 1 -> new int[] {x, y};
                    case 2 -> new int[] {w - 1 - x, y};
                    case 3 -> new int[] {w - 1 - x, h - 1 - y};
                    case 4 -> new int[] {x, h - 1 - y};
                    case 5 -> new int[] {y, x};              // 0th row = left column, 0th column = top row
                    case 6 -> new int[] {y, w - 1 - x};      // 0th row = right column, 0th column = top row
                    case 7 -> new int[] {h - 1 - y, w - 1 - x}; // 0th row = right column, 0th column = bottom row
                    case 8 -> new int[] {h - 1 - y, x};      // 0th row = left column, 0th column = bottom row
                    default -> throw new AssertionError(tag);
                };
                stored.setRGB(at[0], at[1], upright.getRGB(x, y));
            }
        }
        return stored;
    }

    private static BufferedImage solid(int rgb) {
        BufferedImage image = new BufferedImage(16, 16, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 16; y++) {
            for (int x = 0; x < 16; x++) {
                image.setRGB(x, y, rgb);
            }
        }
        return image;
    }

    private static void writeGif(Path file, BufferedImage... frames) throws IOException {
        ImageWriter writer = ImageIO.getImageWritersByFormatName("gif").next();
        try (ImageOutputStream out = ImageIO.createImageOutputStream(file.toFile())) {
            writer.setOutput(out);
            writer.prepareWriteSequence(null);
            for (BufferedImage frame : frames) {
                writer.writeToSequence(new IIOImage(frame, null,
                        writer.getDefaultImageMetadata(ImageTypeSpecifier.createFromRenderedImage(frame), null)), null);
            }
            writer.endWriteSequence();
        } finally {
            writer.dispose();
        }
    }
}
