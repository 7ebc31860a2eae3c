package dev.backlight.cli;

import java.awt.image.BufferedImage;

/** Recognises the random-weights banner that {@link MapRenderer#drawBanner} draws. */
final class Banners {
    private Banners() {
    }

    /**
     * Whether the bottom rows of {@code image} are a banner: the bottom 8 rows mostly banner
     * background, with some pixels in the text colour.
     */
    static boolean present(BufferedImage image) {
        int background = MapRenderer.BANNER_BACKGROUND.getRGB() & 0xFFFFFF;
        int text = MapRenderer.BANNER_TEXT.getRGB() & 0xFFFFFF;
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
