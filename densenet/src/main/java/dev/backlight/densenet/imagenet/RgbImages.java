package dev.backlight.densenet.imagenet;

import dev.backlight.api.InputFormatException;
import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ColorModel;
import java.awt.image.ComponentColorModel;
import java.awt.image.DataBuffer;
import java.awt.image.Raster;

/**
 * Turns any decoded image into 8-bit {@link BufferedImage#TYPE_INT_RGB}, the way Pillow's {@code
 * convert("RGB")} sees the pixels: samples are taken as stored, without colour management, and
 * gray is replicated into R, G and B. Samples of more or fewer than 8 bits are scaled to 0..255
 * (Pillow may differ there by a level). Alpha, which Pillow would drop, is composited on an
 * opaque background colour (white by default).
 */
final class RgbImages {
    private RgbImages() {}

    /**
     * The image as {@code TYPE_INT_RGB}: returned as is if it already is; gray is replicated into
     * the three channels; alpha is composited on white.
     *
     * @param source names the image in error messages (a file path, "image")
     * @throws InputFormatException if the colour space is neither RGB nor gray (a CMYK TIFF, say;
     *     CMYK and YCCK JPEGs arrive here already converted to RGB by TwelveMonkeys)
     */
    static BufferedImage toIntRgb(BufferedImage image, String source) {
        return toIntRgb(image, source, ImageLoader.DEFAULT_BACKGROUND);
    }

    /**
     * As {@link #toIntRgb(BufferedImage, String)}, compositing alpha on {@code background}.
     *
     * @param background an opaque colour, {@code 0xRRGGBB}
     */
    static BufferedImage toIntRgb(BufferedImage image, String source, int background) {
        if (image.getType() == BufferedImage.TYPE_INT_RGB) {
            return image;
        }
        ColorModel model = image.getColorModel();
        int family = model.getColorSpace().getType();
        if (family != ColorSpace.TYPE_RGB && family != ColorSpace.TYPE_GRAY) {
            throw new InputFormatException(source + " uses a " + model.getNumColorComponents()
                    + "-component colour space of type " + family + "; only RGB, gray, and CMYK/YCCK JPEG images"
                    + " can be read; convert it to an RGB PNG or JPEG");
        }
        int width = image.getWidth();
        int height = image.getHeight();
        int[] argb = storedSamplesUsable(image)
                ? argbFromSamples(image.getRaster(), model)
                : image.getRGB(0, 0, width, height, null, 0, width);
        for (int i = 0; i < argb.length; i++) {
            argb[i] = onBackground(argb[i], background);
        }
        BufferedImage rgb = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        rgb.setRGB(0, 0, width, height, argb, 0, width);
        return rgb;
    }

    /**
     * Whether the stored samples can be used directly. {@code getRGB} would instead convert through
     * the colour space: Java's gray is linear, so it would brighten every gray JPEG, and an ICC
     * profile would be applied where Pillow ignores it.
     */
    private static boolean storedSamplesUsable(BufferedImage image) {
        ColorModel model = image.getColorModel();
        if (!(model instanceof ComponentColorModel) || model.isAlphaPremultiplied()) {
            return false;
        }
        int type = model.getTransferType();
        if (type != DataBuffer.TYPE_BYTE && type != DataBuffer.TYPE_USHORT) {
            return false;
        }
        for (int bits : model.getComponentSize()) {
            if (bits > 16) {
                return false;
            }
        }
        return true;
    }

    /** ARGB from the stored samples; samples of other than 8 bits are scaled to 0..255, rounded. */
    private static int[] argbFromSamples(Raster raster, ColorModel model) {
        int colours = model.getNumColorComponents();
        int bands = model.getNumComponents();
        int[] max = new int[bands];
        for (int band = 0; band < bands; band++) {
            max[band] = (1 << model.getComponentSize(band)) - 1;
        }
        int[] samples = raster.getPixels(0, 0, raster.getWidth(), raster.getHeight(), (int[]) null);
        int[] argb = new int[raster.getWidth() * raster.getHeight()];
        for (int p = 0, s = 0; p < argb.length; p++, s += bands) {
            int r = eightBit(samples[s], max[0]);
            int g = colours == 3 ? eightBit(samples[s + 1], max[1]) : r;
            int b = colours == 3 ? eightBit(samples[s + 2], max[2]) : r;
            int a = model.hasAlpha() ? eightBit(samples[s + colours], max[colours]) : 0xFF;
            argb[p] = a << 24 | r << 16 | g << 8 | b;
        }
        return argb;
    }

    private static int eightBit(int sample, int max) {
        return max == 0xFF ? sample : (sample * 255 + max / 2) / max;
    }

    /** Composites one non-premultiplied ARGB pixel over an opaque {@code 0xRRGGBB} colour, rounding to nearest. */
    private static int onBackground(int argb, int background) {
        int a = argb >>> 24;
        if (a == 0xFF) {
            return argb & 0xFFFFFF;
        }
        int rgb = 0;
        for (int shift = 16; shift >= 0; shift -= 8) {
            int channel = ((argb >> shift & 0xFF) * a + (background >> shift & 0xFF) * (255 - a) + 127) / 255;
            rgb |= channel << shift;
        }
        return rgb;
    }
}
