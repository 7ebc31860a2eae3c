package dev.backlight.cli;

import dev.backlight.api.Tensor;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;

/**
 * Renders a raw {@code [3, H, W]} input gradient the classic way: the image's values, all three
 * channels together, are min–max normalised to 0..255 (truncated, as {@code np.uint8(x * 255)})
 * and shown as RGB; a one-channel map is shown in grey the same way. A map that is constant (all
 * zero, say) has no range and renders black.
 */
final class MapRenderer {
    /** The banner's background. */
    static final Color BANNER_BACKGROUND = Color.BLACK;
    /** The banner's text colour. */
    static final Color BANNER_TEXT = new Color(255, 214, 0);
    private static final int LARGEST_FONT = 12;
    private static final int SMALLEST_FONT = 6;

    private MapRenderer() {
    }

    /**
     * The map of image {@code image} of {@code maps} {@code [N, C, H, W]}: RGB for three channels,
     * grey for one (class-activation maps such as Grad-CAM).
     *
     * @throws IllegalArgumentException for any other channel count
     */
    static BufferedImage render(Tensor maps, int image) {
        int channels = maps.shape().dim(1);
        if (channels != 3 && channels != 1) {
            throw new IllegalArgumentException("cannot render a map of shape " + maps.shape()
                    + " as an image: it needs 3 channels (RGB) or 1 (grey); use a .npy input to get the raw map");
        }
        int height = maps.shape().dim(2);
        int width = maps.shape().dim(3);
        int plane = height * width;
        float[] v = maps.data();
        int base = image * channels * plane;
        float min = Float.POSITIVE_INFINITY;
        float max = Float.NEGATIVE_INFINITY;
        for (int i = base; i < base + channels * plane; i++) {
            min = Math.min(min, v[i]);
            max = Math.max(max, v[i]);
        }
        float range = max - min;
        int green = channels == 3 ? plane : 0;
        int blue = channels == 3 ? 2 * plane : 0;
        int[] rgb = new int[plane];
        for (int p = 0; p < plane; p++) {
            int r = level(v[base + p], min, range);
            int g = level(v[base + green + p], min, range);
            int b = level(v[base + blue + p], min, range);
            rgb[p] = r << 16 | g << 8 | b;
        }
        BufferedImage out = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        out.setRGB(0, 0, width, height, rgb, 0, width);
        return out;
    }

    private static int level(float value, float min, float range) {
        if (!(range > 0) || !Float.isFinite(range)) {
            return 0;
        }
        return Math.max(0, Math.min(255, (int) ((value - min) / range * 255f)));
    }

    /**
     * Draws {@code text} on one line in a strip across the bottom of {@code image}, in the largest
     * font size up to {@value #LARGEST_FONT} that fits the width.
     */
    static void drawBanner(BufferedImage image, String text) {
        Graphics2D g = image.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            FontMetrics metrics = null;
            for (int size = LARGEST_FONT; size >= SMALLEST_FONT; size--) {
                metrics = g.getFontMetrics(new Font(Font.SANS_SERIF, Font.BOLD, size));
                if (metrics.stringWidth(text) <= image.getWidth() - 4) {
                    break;
                }
            }
            int strip = metrics.getHeight() + 2;
            int top = image.getHeight() - strip;
            g.setColor(BANNER_BACKGROUND);
            g.fillRect(0, top, image.getWidth(), strip);
            g.setColor(BANNER_TEXT);
            g.setFont(metrics.getFont());
            g.drawString(text, Math.max(2, (image.getWidth() - metrics.stringWidth(text)) / 2), top + 1 + metrics.getAscent());
        } finally {
            g.dispose();
        }
    }
}
