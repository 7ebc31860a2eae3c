package dev.backlight.api.method;

import dev.backlight.api.Shape;
import dev.backlight.api.Tensor;

/** Small tensor helpers shared by the attribution methods. */
final class MapMath {
    private MapMath() {
    }

    /** Repeats each image of {@code [N, ...]} {@code times} times: image i becomes rows i·times .. i·times+times−1. */
    static int[][] repeatRows(int[][] classes, int times) {
        int[][] out = new int[classes.length * times][];
        for (int i = 0; i < classes.length; i++) {
            for (int j = 0; j < times; j++) {
                out[i * times + j] = classes[i];
            }
        }
        return out;
    }

    /** Elementwise product. */
    static Tensor multiply(Tensor a, Tensor b) {
        float[] out = new float[a.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = a.data()[i] * b.data()[i];
        }
        return Tensor.of(a.shape(), out);
    }

    /** Per-image minimum and maximum of {@code [N, ...]}. */
    static float[][] rangePerImage(Tensor x) {
        int n = x.shape().dim(0);
        int per = x.size() / n;
        float[][] out = new float[n][2];
        for (int i = 0; i < n; i++) {
            float lo = Float.POSITIVE_INFINITY;
            float hi = Float.NEGATIVE_INFINITY;
            for (int p = 0; p < per; p++) {
                float v = x.data()[i * per + p];
                lo = Math.min(lo, v);
                hi = Math.max(hi, v);
            }
            out[i][0] = lo;
            out[i][1] = hi;
        }
        return out;
    }

    /**
     * Bilinear resize of {@code [N, C, h, w]} to {@code [N, C, H, W]} with PyTorch's
     * {@code align_corners=False} convention (source = (dst + 0.5)·in/out − 0.5, clamped at 0).
     */
    static Tensor resizeBilinear(Tensor x, int height, int width) {
        int n = x.shape().dim(0);
        int c = x.shape().dim(1);
        int h = x.shape().dim(2);
        int w = x.shape().dim(3);
        float[] out = new float[n * c * height * width];
        for (int plane = 0; plane < n * c; plane++) {
            int src = plane * h * w;
            int dst = plane * height * width;
            for (int oy = 0; oy < height; oy++) {
                double sy = Math.max(0, (oy + 0.5) * h / height - 0.5);
                int y0 = Math.min((int) sy, h - 1);
                int y1 = Math.min(y0 + 1, h - 1);
                double fy = sy - y0;
                for (int ox = 0; ox < width; ox++) {
                    double sx = Math.max(0, (ox + 0.5) * w / width - 0.5);
                    int x0 = Math.min((int) sx, w - 1);
                    int x1 = Math.min(x0 + 1, w - 1);
                    double fx = sx - x0;
                    double top = x.data()[src + y0 * w + x0] * (1 - fx) + x.data()[src + y0 * w + x1] * fx;
                    double bottom = x.data()[src + y1 * w + x0] * (1 - fx) + x.data()[src + y1 * w + x1] * fx;
                    out[dst + oy * width + ox] = (float) (top * (1 - fy) + bottom * fy);
                }
            }
        }
        return Tensor.of(Shape.of(n, c, height, width), out);
    }
}
