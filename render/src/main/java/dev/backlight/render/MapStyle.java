package dev.backlight.render;

import java.util.Objects;

/**
 * How a map is drawn (immutable; start from {@link #defaults()}): which channels and sign are shown, where it is clipped, the colour map and
 * how strongly the overlay covers the input.
 *
 * @param reduction how the three channels become one value per pixel
 * @param sign which part of the reduced values is shown
 * @param clipPercentile the percentile of the shown magnitudes that maps to full colour; larger
 *     ones are clipped (100: the maximum)
 * @param colormap the heat map's colours
 * @param overlayAlpha the largest share of the heat map's colour in an overlay pixel, 0..1
 */
public record MapStyle(ChannelReduction reduction, MapSign sign, double clipPercentile, Colormap colormap,
                double overlayAlpha) {
    public MapStyle {
        Objects.requireNonNull(reduction, "reduction");
        Objects.requireNonNull(sign, "sign");
        Objects.requireNonNull(colormap, "colormap");
        if (!(clipPercentile > 0 && clipPercentile <= 100)) {
            throw new IllegalArgumentException("clip percentile " + clipPercentile + " is out of range: give a"
                    + " percentile in (0, 100], such as 99.5");
        }
        if (!(overlayAlpha >= 0 && overlayAlpha <= 1)) {
            throw new IllegalArgumentException("overlay alpha " + overlayAlpha + " is out of range: give 0..1");
        }
    }

    /**
     * The default style: {@code max-abs} over channels, {@code absolute} values, clipped at the
     * 99.5th percentile, {@code inferno}, overlay alpha 0.6.
     */
    public static MapStyle defaults() {
        return new MapStyle(ChannelReduction.MAX_ABS, MapSign.ABSOLUTE, 99.5, Colormap.named(Colormap.DEFAULT_SEQUENTIAL), 0.6);
    }

    /** This style with another channel reduction. */
    public MapStyle withReduction(ChannelReduction reduction) {
        return new MapStyle(reduction, sign, clipPercentile, colormap, overlayAlpha);
    }

    /**
     * This style with another sign. Switching between signed and unsigned also switches a default
     * colour map to the other default ({@code coolwarm} for signed maps, {@code inferno} otherwise).
     */
    public MapStyle withSign(MapSign sign) {
        Colormap map = colormap;
        if (sign.signed() != this.sign.signed()
                && colormap.name().equals(this.sign.signed() ? Colormap.DEFAULT_DIVERGING : Colormap.DEFAULT_SEQUENTIAL)) {
            map = Colormap.named(sign.signed() ? Colormap.DEFAULT_DIVERGING : Colormap.DEFAULT_SEQUENTIAL);
        }
        return new MapStyle(reduction, sign, clipPercentile, map, overlayAlpha);
    }

    /** This style clipped at another percentile, in (0, 100]. */
    public MapStyle withClipPercentile(double percentile) {
        return new MapStyle(reduction, sign, percentile, colormap, overlayAlpha);
    }

    /** This style with another colour map, by name ({@link Colormap#NAMES}). */
    public MapStyle withColormap(String name) {
        return new MapStyle(reduction, sign, clipPercentile, Colormap.named(name), overlayAlpha);
    }

    /** This style with another overlay alpha, in [0, 1]. */
    public MapStyle withOverlayAlpha(double alpha) {
        return new MapStyle(reduction, sign, clipPercentile, colormap, alpha);
    }
}
