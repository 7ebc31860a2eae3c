package dev.backlight.render;

import dev.backlight.api.Tensor;
import java.awt.image.BufferedImage;

/**
 * Draws attribution maps as the pictures of {@link PictureKind}: gray levels, a heat map, the heat
 * map over the input image (the crop the model saw, or the whole source image for a map placed on
 * it), and the classic RGB picture of an input gradient. All are {@code TYPE_INT_RGB} of the map's
 * size. Stateless and thread-safe.
 */
public final class MapPictures {
    private MapPictures() {
    }

    /**
     * Gray levels: 0 black and 1 white; for a signed map -1 black, 0 mid-gray (128), 1 white.
     * Levels are rounded.
     */
    public static BufferedImage gray(NormalisedMap map) {
        int[] rgb = new int[map.values().length];
        for (int i = 0; i < rgb.length; i++) {
            rgb[i] = level(unit(map, map.values()[i])) * 0x010101;
        }
        return image(map, rgb);
    }

    /** Each value's colour in {@code colormap}; a signed map spreads -1..1 over the whole map. */
    public static BufferedImage heatmap(NormalisedMap map, Colormap colormap) {
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
    public static BufferedImage overlay(NormalisedMap map, Colormap colormap, BufferedImage base, double alpha) {
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

    /**
     * The picture {@code kind} of image {@code image} of {@code maps} {@code [N, C, H, W]} in
     * {@code style}.
     *
     * @param base the picture under an overlay, of the map's size (the crop the model saw); may be
     *     null for the other kinds
     * @throws IllegalArgumentException if an overlay has no base or a base of another size, or the
     *     map cannot be drawn as {@code kind}
     */
    public static BufferedImage draw(PictureKind kind, Tensor maps, int image, MapStyle style, BufferedImage base) {
        if (kind == PictureKind.RGB) {
            return rgb(maps, image);
        }
        NormalisedMap map = NormalisedMap.of(maps, image, style);
        return draw(kind, map, style, base, maps, image);
    }

    /**
     * The picture {@code kind} of an already normalised map (for {@link PictureKind#RGB}, of the raw
     * {@code maps} it came from).
     */
    public static BufferedImage draw(PictureKind kind, NormalisedMap map, MapStyle style, BufferedImage base, Tensor maps,
                                     int image) {
        return switch (kind) {
            case GRAY -> gray(map);
            case HEATMAP -> heatmap(map, style.colormap());
            case OVERLAY -> {
                if (base == null) {
                    throw new IllegalArgumentException("an overlay needs the input picture under it; this map has none"
                            + " (draw gray or heatmap instead)");
                }
                yield overlay(map, style.colormap(), base, style.overlayAlpha());
            }
            case RGB -> rgb(maps, image);
        };
    }

    /**
     * The classic picture of a raw input gradient: image {@code image} of {@code maps} {@code [N, C, H,
     * W]}, all channels together min-max normalised to 0..255 (truncated, as {@code np.uint8(x *
     * 255)}), shown as RGB for three channels and gray for one (class-activation maps such as
     * Grad-CAM). A constant map has no range and renders black.
     *
     * @throws IllegalArgumentException for any other channel count
     */
    public static BufferedImage rgb(Tensor maps, int image) {
        int channels = maps.shape().dim(1);
        if (channels != 3 && channels != 1) {
            throw new IllegalArgumentException("cannot draw a map of shape " + maps.shape()
                    + " as a picture: it needs 3 channels (RGB) or 1 (gray); save the raw map as .npy instead");
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
            int r = byteLevel(v[base + p], min, range);
            int g = byteLevel(v[base + green + p], min, range);
            int b = byteLevel(v[base + blue + p], min, range);
            rgb[p] = r << 16 | g << 8 | b;
        }
        BufferedImage out = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        out.setRGB(0, 0, width, height, rgb, 0, width);
        return out;
    }

    private static int byteLevel(float value, float min, float range) {
        if (!(range > 0) || !Float.isFinite(range)) {
            return 0;
        }
        return Math.max(0, Math.min(255, (int) ((value - min) / range * 255f)));
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
