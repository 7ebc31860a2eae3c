package dev.backlight.cli;

import dev.backlight.api.Tensor;
import dev.backlight.densenet.imagenet.CropBox;
import java.util.Arrays;

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
record NormalisedMap(float[] values, int width, int height, boolean signed, double clipValue) {

    /** The map of the first image of {@code map} {@code [N, C, H, W]} drawn in {@code style}. */
    static NormalisedMap of(Tensor map, MapStyle style) {
        int channels = map.shape().dim(1);
        int height = map.shape().dim(2);
        int width = map.shape().dim(3);
        float[] shown = style.reduction().reduce(map.data(), 0, channels, height * width);
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
    static double percentile(float[] values, double p) {
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
    float at(int x, int y) {
        return values[y * width + x];
    }

    /**
     * This map (computed on the crop described by {@code box}) placed on the whole source image:
     * each source pixel takes the bilinearly interpolated map value under its centre, and 0 outside
     * the crop.
     */
    NormalisedMap onSource(CropBox box) {
        int w = box.sourceWidth();
        int h = box.sourceHeight();
        float[] out = new float[w * h];
        for (int y = 0; y < h; y++) {
            double v = box.cropY(y + 0.5) - 0.5;
            for (int x = 0; x < w; x++) {
                double u = box.cropX(x + 0.5) - 0.5;
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
