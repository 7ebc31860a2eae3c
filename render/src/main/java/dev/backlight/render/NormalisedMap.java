package dev.backlight.render;

import dev.backlight.api.Tensor;
import java.util.Arrays;
import java.util.function.DoubleUnaryOperator;

/**
 * One image's map reduced to a value per pixel and scaled for drawing: the shown value (after
 * channel reduction and sign) divided by the clip value, the chosen percentile of the shown
 * magnitudes, and clipped to [0, 1], or to [-1, 1] for a signed map. A map that is zero
 * everywhere stays zero.
 *
 * @param values the scaled values, row-major, {@code height x width}
 * @param width the width
 * @param height the height
 * @param signed whether values may be negative
 * @param clipValue the shown value that became 1 (reported in the run report)
 */
public record NormalisedMap(float[] values, int width, int height, boolean signed, double clipValue) {

    /** The map of the first image of {@code map} {@code [N, C, H, W]} drawn in {@code style}. */
    public static NormalisedMap of(Tensor map, MapStyle style) {
        return of(map, 0, style);
    }

    /**
     * The map of image {@code image} of {@code map} {@code [N, C, H, W]} drawn in {@code style}.
     *
     * @throws IllegalArgumentException if {@code map} is not {@code [N, C, H, W]} or has no such image
     */
    public static NormalisedMap of(Tensor map, int image, MapStyle style) {
        if (map.shape().rank() != 4 || image < 0 || image >= map.shape().dim(0)) {
            throw new IllegalArgumentException("cannot draw image " + image + " of a map of shape " + map.shape()
                    + "; maps are [N, C, H, W]");
        }
        int channels = map.shape().dim(1);
        int height = map.shape().dim(2);
        int width = map.shape().dim(3);
        float[] shown = style.reduction().reduce(map.data(), image, channels, height * width);
        float[] magnitudes = new float[shown.length];
        for (int i = 0; i < shown.length; i++) {
            shown[i] = style.sign().apply(shown[i]);
            magnitudes[i] = Math.abs(shown[i]);
        }
        double clip = percentile(magnitudes, style.clipPercentile());
        if (!(clip > 0) || !Double.isFinite(clip)) {
            clip = 0;
        }
        float lowest = style.sign().signed() ? -1f : 0f;
        for (int i = 0; i < shown.length; i++) {
            shown[i] = clip == 0 ? 0f : (float) Math.max(lowest, Math.min(1, shown[i] / clip));
        }
        return new NormalisedMap(shown, width, height, style.sign().signed(), clip);
    }

    /**
     * The {@code p}-th percentile of {@code values}, interpolating linearly between the two
     * nearest ranks (NumPy's default): rank {@code p / 100 * (n - 1)} of the sorted values.
     * Sorts a copy.
     */
    public static double percentile(float[] values, double p) {
        if (values.length == 0) {
            return 0;
        }
        float[] sorted = values.clone();
        Arrays.sort(sorted);
        double rank = p / 100 * (sorted.length - 1);
        int below = (int) Math.floor(rank);
        int above = Math.min(below + 1, sorted.length - 1);
        double fraction = rank - below;
        return sorted[below] + fraction * (sorted[above] - sorted[below]);
    }

    /** The value at pixel (x, y). */
    public float at(int x, int y) {
        return values[y * width + x];
    }

    /**
     * This map, computed on a crop of a larger source image, placed on the whole source image: each
     * source pixel takes the bilinearly interpolated map value under its centre, and 0 outside the
     * crop. Coordinates are continuous, pixel centres at {@code i + 0.5}.
     *
     * @param sourceWidth the source image's width
     * @param sourceHeight the source image's height
     * @param cropX the crop column that a source column falls on
     * @param cropY the crop row that a source row falls on
     */
    public NormalisedMap onSource(int sourceWidth, int sourceHeight, DoubleUnaryOperator cropX, DoubleUnaryOperator cropY) {
        int w = sourceWidth;
        int h = sourceHeight;
        float[] out = new float[w * h];
        for (int y = 0; y < h; y++) {
            double v = cropY.applyAsDouble(y + 0.5) - 0.5;
            for (int x = 0; x < w; x++) {
                double u = cropX.applyAsDouble(x + 0.5) - 0.5;
                out[y * w + x] = sample(u, v);
            }
        }
        return new NormalisedMap(out, w, h, signed, clipValue);
    }

    /** Bilinear sample at continuous pixel coordinates (pixel centres at integers); 0 off the map. */
    private float sample(double u, double v) {
        if (u < -0.5 || v < -0.5 || u > width - 0.5 || v > height - 0.5) {
            return 0f;
        }
        double cu = Math.max(0, Math.min(width - 1, u));
        double cv = Math.max(0, Math.min(height - 1, v));
        int x0 = (int) Math.floor(cu);
        int y0 = (int) Math.floor(cv);
        int x1 = Math.min(x0 + 1, width - 1);
        int y1 = Math.min(y0 + 1, height - 1);
        double fx = cu - x0;
        double fy = cv - y0;
        double top = at(x0, y0) * (1 - fx) + at(x1, y0) * fx;
        double bottom = at(x0, y1) * (1 - fx) + at(x1, y1) * fx;
        return (float) (top * (1 - fy) + bottom * fy);
    }
}
