package dev.backlight.cli;

import java.util.Objects;

/**
 * How a map is drawn: which channels and sign are shown, where it is clipped, the colour map and
 * how strongly the overlay covers the input.
 *
 * @param reduction how the three channels become one value per pixel
 * @param sign which part of the reduced values is shown
 * @param clipPercentile the percentile of the shown magnitudes that maps to full colour; larger
 *     ones are clipped (100: the maximum)
 * @param colormap the heat map's colours
 * @param overlayAlpha the largest share of the heat map's colour in an overlay pixel, 0..1
 */
record MapStyle(ChannelReduction reduction, MapSign sign, double clipPercentile, Colormap colormap,
                double overlayAlpha) {
    MapStyle {
        Objects.requireNonNull(reduction, "reduction");
        Objects.requireNonNull(sign, "sign");
        Objects.requireNonNull(colormap, "colormap");
        if (!(clipPercentile > 0 && clipPercentile <= 100)) {
            throw new IllegalArgumentException("--clip-percentile " + clipPercentile + " is out of range: give a"
                    + " percentile in (0, 100], such as 99.5");
        }
        if (!(overlayAlpha >= 0 && overlayAlpha <= 1)) {
            throw new IllegalArgumentException("--overlay-alpha " + overlayAlpha + " is out of range: give 0..1");
        }
    }
}
