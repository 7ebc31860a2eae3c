package dev.backlight.densenet.imagenet;

import java.awt.image.BufferedImage;

/** Measures how close two RGB images are, for tests that compare decoded files with source photos. */
final class ImageComparison {
    private ImageComparison() {}

    /**
     * The peak signal-to-noise ratio of {@code actual} against {@code expected} over all three
     * channels, in dB ({@code +Infinity} for identical images).
     *
     * @throws AssertionError if the sizes differ
     */
    static double psnr(BufferedImage expected, BufferedImage actual) {
        if (expected.getWidth() != actual.getWidth() || expected.getHeight() != actual.getHeight()) {
            throw new AssertionError("sizes differ: expected " + expected.getWidth() + "x" + expected.getHeight()
                    + ", got " + actual.getWidth() + "x" + actual.getHeight());
        }
        double squares = 0;
        long samples = 0;
        for (int y = 0; y < expected.getHeight(); y++) {
            for (int x = 0; x < expected.getWidth(); x++) {
                int e = expected.getRGB(x, y);
                int a = actual.getRGB(x, y);
                for (int shift = 0; shift <= 16; shift += 8) {
                    int d = (e >> shift & 0xFF) - (a >> shift & 0xFF);
                    squares += d * d;
                    samples++;
                }
            }
        }
        double mse = squares / samples;
        return mse == 0 ? Double.POSITIVE_INFINITY : 10 * Math.log10(255.0 * 255.0 / mse);
    }

    /** {@code image} shrunk by {@code factor} in both directions, each pixel the rounded mean of its block. */
    static BufferedImage shrink(BufferedImage image, int factor) {
        int width = image.getWidth() / factor;
        int height = image.getHeight() / factor;
        BufferedImage out = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                int[] sum = new int[3];
                for (int dy = 0; dy < factor; dy++) {
                    for (int dx = 0; dx < factor; dx++) {
                        int rgb = image.getRGB(x * factor + dx, y * factor + dy);
                        for (int c = 0; c < 3; c++) {
                            sum[c] += rgb >> (16 - 8 * c) & 0xFF;
                        }
                    }
                }
                int n = factor * factor;
                out.setRGB(x, y, (sum[0] + n / 2) / n << 16 | (sum[1] + n / 2) / n << 8 | (sum[2] + n / 2) / n);
            }
        }
        return out;
    }

    /** The image in gray (ITU-R BT.601 luma, rounded), replicated into R, G and B. */
    static BufferedImage luma(BufferedImage image) {
        BufferedImage out = new BufferedImage(image.getWidth(), image.getHeight(), BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < image.getHeight(); y++) {
            for (int x = 0; x < image.getWidth(); x++) {
                int rgb = image.getRGB(x, y);
                int level = (int) Math.round(0.299 * (rgb >> 16 & 0xFF) + 0.587 * (rgb >> 8 & 0xFF) + 0.114 * (rgb & 0xFF));
                out.setRGB(x, y, level * 0x010101);
            }
        }
        return out;
    }

    /** The image turned half a turn. */
    static BufferedImage rotate180(BufferedImage image) {
        int w = image.getWidth();
        int h = image.getHeight();
        BufferedImage out = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                out.setRGB(w - 1 - x, h - 1 - y, image.getRGB(x, y));
            }
        }
        return out;
    }
}
