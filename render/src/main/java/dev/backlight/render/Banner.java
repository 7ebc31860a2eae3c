package dev.backlight.render;

import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;

/**
 * A one-line warning drawn across the bottom of a picture, such as the one every picture made from
 * random weights carries: yellow text on black.
 */
public final class Banner {
    /** The banner's background. */
    public static final Color BACKGROUND = Color.BLACK;
    /** The banner's text colour. */
    public static final Color TEXT = new Color(255, 214, 0);
    private static final int LARGEST_FONT = 12;
    private static final int SMALLEST_FONT = 6;

    private Banner() {
    }

    /**
     * Draws {@code text} on one line in a strip across the bottom of {@code image}, in the largest
     * font size up to 12 that fits the width.
     */
    public static void draw(BufferedImage image, String text) {
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
            g.setColor(BACKGROUND);
            g.fillRect(0, top, image.getWidth(), strip);
            g.setColor(TEXT);
            g.setFont(metrics.getFont());
            g.drawString(text, Math.max(2, (image.getWidth() - metrics.stringWidth(text)) / 2), top + 1 + metrics.getAscent());
        } finally {
            g.dispose();
        }
    }
}
