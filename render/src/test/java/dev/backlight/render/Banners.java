package dev.backlight.render;

import java.awt.image.BufferedImage;

/** Recognises the banner that {@link Banner#draw} draws (test support, shared with other modules' tests). */
public final class Banners {
    private Banners() {
    }

    /**
     * Whether the bottom rows of {@code image} are a banner: the bottom 8 rows mostly banner
     * background, with some pixels in the text colour.
     */
    public static boolean present(BufferedImage image) {
        int background = Banner.BACKGROUND.getRGB() & 0xFFFFFF;
        int text = Banner.TEXT.getRGB() & 0xFFFFFF;
        int backgroundPixels = 0;
        int textPixels = 0;
        int total = 0;
        for (int y = image.getHeight() - 8; y < image.getHeight(); y++) {
            for (int x = 0; x < image.getWidth(); x++) {
                int rgb = image.getRGB(x, y) & 0xFFFFFF;
                backgroundPixels += rgb == background ? 1 : 0;
                textPixels += rgb == text ? 1 : 0;
                total++;
            }
        }
        return backgroundPixels > total / 2 && textPixels > 20;
    }
}
