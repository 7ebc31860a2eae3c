package dev.backlight.api.method;

import dev.backlight.api.Tensor;

/** Separable Gaussian blur of NCHW planes, radius 3σ, edges clamped. */
final class GaussianBlur {
    private GaussianBlur() {
    }

    static Tensor blur(Tensor x, double sigma) {
        int[] d = x.shape().dims();
        int h = d[2];
        int w = d[3];
        int radius = Math.max(1, (int) Math.ceil(3 * sigma));
        double[] k = new double[2 * radius + 1];
        double total = 0;
        for (int i = -radius; i <= radius; i++) {
            k[i + radius] = Math.exp(-0.5 * i * i / (sigma * sigma));
            total += k[i + radius];
        }
        for (int i = 0; i < k.length; i++) {
            k[i] /= total;
        }
        float[] src = x.data();
        float[] tmp = new float[src.length];
        float[] out = new float[src.length];
        for (int plane = 0; plane < src.length / (h * w); plane++) {
            int o = plane * h * w;
            for (int y = 0; y < h; y++) {
                for (int xx = 0; xx < w; xx++) {
                    double s = 0;
                    for (int t = -radius; t <= radius; t++) {
                        s += k[t + radius] * src[o + y * w + Math.min(w - 1, Math.max(0, xx + t))];
                    }
                    tmp[o + y * w + xx] = (float) s;
                }
            }
            for (int y = 0; y < h; y++) {
                for (int xx = 0; xx < w; xx++) {
                    double s = 0;
                    for (int t = -radius; t <= radius; t++) {
                        s += k[t + radius] * tmp[o + Math.min(h - 1, Math.max(0, y + t)) * w + xx];
                    }
                    out[o + y * w + xx] = (float) s;
                }
            }
        }
        return Tensor.of(x.shape(), out);
    }
}
