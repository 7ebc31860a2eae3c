package dev.backlight.densenet.sanity;

import java.util.Arrays;
import java.util.Comparator;
import java.util.stream.IntStream;

/**
 * Similarity measures between two attribution maps of one image, as used by Adebayo et al. (2018)
 * "Sanity Checks for Saliency Maps". Maps are {@code [C, H, W]} planes reduced over channels
 * first: signed (sum over channels) or absolute (sum of absolute values).
 */
public final class MapSimilarity {
    private MapSimilarity() {
    }

    /** Sum over channels of a {@code [C, H·W]} map: the signed reduction. */
    public static double[] signed(float[] map, int channels) {
        int plane = map.length / channels;
        double[] out = new double[plane];
        for (int c = 0; c < channels; c++) {
            for (int p = 0; p < plane; p++) {
                out[p] += map[c * plane + p];
            }
        }
        return out;
    }

    /** Sum over channels of absolute values: the absolute reduction. */
    public static double[] absolute(float[] map, int channels) {
        int plane = map.length / channels;
        double[] out = new double[plane];
        for (int c = 0; c < channels; c++) {
            for (int p = 0; p < plane; p++) {
                out[p] += Math.abs(map[c * plane + p]);
            }
        }
        return out;
    }

    /** Spearman's rank correlation, ties given their average rank. NaN if either map is constant. */
    public static double spearman(double[] a, double[] b) {
        return pearson(ranks(a), ranks(b));
    }

    /** Pearson's correlation. NaN if either input is constant. */
    public static double pearson(double[] a, double[] b) {
        double ma = Arrays.stream(a).average().orElse(0);
        double mb = Arrays.stream(b).average().orElse(0);
        double num = 0;
        double da = 0;
        double db = 0;
        for (int i = 0; i < a.length; i++) {
            num += (a[i] - ma) * (b[i] - mb);
            da += (a[i] - ma) * (a[i] - ma);
            db += (b[i] - mb) * (b[i] - mb);
        }
        return num / Math.sqrt(da * db);
    }

    static double[] ranks(double[] v) {
        Integer[] order = IntStream.range(0, v.length).boxed().toArray(Integer[]::new);
        Arrays.sort(order, Comparator.comparingDouble(i -> v[i]));
        double[] r = new double[v.length];
        int i = 0;
        while (i < order.length) {
            int j = i;
            while (j + 1 < order.length && v[order[j + 1]] == v[order[i]]) {
                j++;
            }
            double avg = (i + j) / 2.0 + 1;
            for (int k = i; k <= j; k++) {
                r[order[k]] = avg;
            }
            i = j + 1;
        }
        return r;
    }

    /** Scales a map to [0, 1] by its minimum and maximum (a constant map becomes 0). */
    public static double[] unitRange(double[] v) {
        double lo = Arrays.stream(v).min().orElse(0);
        double hi = Arrays.stream(v).max().orElse(0);
        double[] out = new double[v.length];
        if (hi > lo) {
            for (int i = 0; i < v.length; i++) {
                out[i] = (v[i] - lo) / (hi - lo);
            }
        }
        return out;
    }

    /**
     * Mean structural similarity (Wang et al. 2004) of two {@code height × width} images with
     * values in [0, 1]: Gaussian window σ = 1.5 (11×11), C1 = 0.01², C2 = 0.03², averaged over
     * the positions where the whole window fits.
     */
    public static double ssim(double[] a, double[] b, int height, int width) {
        int r = 5;
        double[] w = new double[2 * r + 1];
        double total = 0;
        for (int i = -r; i <= r; i++) {
            w[i + r] = Math.exp(-i * i / (2 * 1.5 * 1.5));
            total += w[i + r];
        }
        for (int i = 0; i < w.length; i++) {
            w[i] /= total;
        }
        double c1 = 1e-4;
        double c2 = 9e-4;
        double sum = 0;
        int count = 0;
        for (int y = r; y < height - r; y++) {
            for (int x = r; x < width - r; x++) {
                double ma = 0;
                double mb = 0;
                double saa = 0;
                double sbb = 0;
                double sab = 0;
                for (int dy = -r; dy <= r; dy++) {
                    for (int dx = -r; dx <= r; dx++) {
                        double k = w[dy + r] * w[dx + r];
                        double va = a[(y + dy) * width + x + dx];
                        double vb = b[(y + dy) * width + x + dx];
                        ma += k * va;
                        mb += k * vb;
                        saa += k * va * va;
                        sbb += k * vb * vb;
                        sab += k * va * vb;
                    }
                }
                double va = saa - ma * ma;
                double vb = sbb - mb * mb;
                double cov = sab - ma * mb;
                sum += (2 * ma * mb + c1) * (2 * cov + c2) / ((ma * ma + mb * mb + c1) * (va + vb + c2));
                count++;
            }
        }
        if (count == 0) {
            throw new IllegalArgumentException("SSIM needs images of at least 11x11, got " + height + "x" + width);
        }
        return sum / count;
    }

    /**
     * Histogram of oriented gradients (Dalal and Triggs 2005) of a {@code height × width} image:
     * centred [−1, 0, 1] gradients, 9 unsigned orientation bins over 8×8-pixel cells (magnitude
     * votes), 2×2-cell blocks with L2-Hys normalisation (clipped at 0.2).
     */
    public static double[] hog(double[] img, int height, int width) {
        int cell = 8;
        int bins = 9;
        int cy = height / cell;
        int cx = width / cell;
        double[] hist = new double[cy * cx * bins];
        for (int y = 0; y < cy * cell; y++) {
            for (int x = 0; x < cx * cell; x++) {
                double gx = img[y * width + Math.min(x + 1, width - 1)] - img[y * width + Math.max(x - 1, 0)];
                double gy = img[Math.min(y + 1, height - 1) * width + x] - img[Math.max(y - 1, 0) * width + x];
                double mag = Math.hypot(gx, gy);
                double angle = Math.toDegrees(Math.atan2(gy, gx));
                if (angle < 0) {
                    angle += 180;
                }
                int bin = Math.min(bins - 1, (int) (angle / (180.0 / bins)));
                hist[((y / cell) * cx + x / cell) * bins + bin] += mag;
            }
        }
        int by = Math.max(0, cy - 1);
        int bx = Math.max(0, cx - 1);
        double[] out = new double[by * bx * 4 * bins];
        int o = 0;
        for (int y = 0; y < by; y++) {
            for (int x = 0; x < bx; x++) {
                int start = o;
                for (int dy = 0; dy < 2; dy++) {
                    for (int dx = 0; dx < 2; dx++) {
                        System.arraycopy(hist, ((y + dy) * cx + x + dx) * bins, out, o, bins);
                        o += bins;
                    }
                }
                normaliseL2Hys(out, start, o);
            }
        }
        return out;
    }

    private static void normaliseL2Hys(double[] v, int from, int to) {
        for (int pass = 0; pass < 2; pass++) {
            double norm = 1e-10;
            for (int i = from; i < to; i++) {
                norm += v[i] * v[i];
            }
            norm = Math.sqrt(norm);
            for (int i = from; i < to; i++) {
                v[i] = pass == 0 ? Math.min(v[i] / norm, 0.2) : v[i] / norm;
            }
        }
    }
}
