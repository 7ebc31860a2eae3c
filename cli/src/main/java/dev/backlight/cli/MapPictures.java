package dev.backlight.cli;

import java.awt.image.BufferedImage;

/**
 * Draws a {@link NormalisedMap} as the pictures of {@link RenderKind}: gray levels, a heat map, and
 * the heat map over the input image (the crop the model saw, or the whole source image for a map
 * placed on it). All are {@code TYPE_INT_RGB} of the map's size.
 */
final class MapPictures {
    private MapPictures() {
    }

    /**
     * Gray levels: 0 black and 1 white; for a signed map -1 black, 0 mid-gray (128), 1 white.
     * Levels are rounded.
     */
    static BufferedImage gray(NormalisedMap map) {
        int[] rgb = new int[map.values().length];
        for (int i = 0; i < rgb.length; i++) {
            rgb[i] = level(unit(map, map.values()[i])) * 0x010101;
        }
        return image(map, rgb);
    }

    /** Each value's colour in {@code colormap}; a signed map spreads -1..1 over the whole map. */
    static BufferedImage heatmap(NormalisedMap map, Colormap colormap) {
        int[] rgb = new int[map.values().length];
        for (int i = 0; i < rgb.length; i++) {
            rgb[i] = colormap.colour(unit(map, map.values()[i]));
        }
        return image(map, rgb);
    }

    /**
     * The heat map blended onto {@code base}: each pixel is {@code (1 - w) * base + w * colour} with
     * {@code w = alpha * |value|}, rounded, so that where the map is 0 the input shows unchanged and
     * where it is strongest the colour covers it by {@code alpha}.
     *
     * @throws IllegalArgumentException if {@code base} is not the map's size
     */
    static BufferedImage overlay(NormalisedMap map, Colormap colormap, BufferedImage base, double alpha) {
        if (base.getWidth() != map.width() || base.getHeight() != map.height()) {
            throw new IllegalArgumentException("the overlay's base is " + base.getWidth() + "x" + base.getHeight()
                    + ", the map " + map.width() + "x" + map.height());
        }
        int[] under = base.getRGB(0, 0, map.width(), map.height(), null, 0, map.width());
        int[] rgb = new int[under.length];
        for (int i = 0; i < rgb.length; i++) {
            float v = map.values()[i];
            int colour = colormap.colour(unit(map, v));
            double w = alpha * Math.min(1, Math.abs(v));
            int mixed = 0;
            for (int shift = 16; shift >= 0; shift -= 8) {
                double channel = (1 - w) * (under[i] >> shift & 0xFF) + w * (colour >> shift & 0xFF);
                mixed |= level(channel / 255) << shift;
            }
            rgb[i] = mixed;
        }
        return image(map, rgb);
    }

    /** A value on the colour scale 0..1: as is for unsigned maps, {@code (v + 1) / 2} for signed. */
    private static double unit(NormalisedMap map, float v) {
        return map.signed() ? (v + 1) / 2.0 : v;
    }

    private static int level(double unit) {
        return (int) Math.round(Math.max(0, Math.min(1, unit)) * 255);
    }

    private static BufferedImage image(NormalisedMap map, int[] rgb) {
        BufferedImage out = new BufferedImage(map.width(), map.height(), BufferedImage.TYPE_INT_RGB);
        out.setRGB(0, 0, map.width(), map.height(), rgb, 0, map.width());
        return out;
    }
}
