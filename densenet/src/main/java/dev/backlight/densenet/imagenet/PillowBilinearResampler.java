package dev.backlight.densenet.imagenet;

/**
 * Resizes packed 8-bit RGB pixels exactly as Pillow's {@code Image.resize(size, BILINEAR)} does,
 * so that the same input pixels give the same output bytes.
 *
 * <p>The algorithm: a separable triangle filter, horizontal pass first, then vertical. When
 * downscaling by {@code scale = in / out} the filter is stretched by {@code scale} (antialiasing);
 * when upscaling its support stays 1. Output pixel {@code i} is centred on input coordinate {@code
 * (i + 0.5) * scale}. Each output's weights are normalised to sum 1 in double precision, then
 * turned into integers with {@value #PRECISION_BITS} fractional bits, and every pass runs on 8-bit
 * channels in that fixed point: round by adding half, shift, clamp to 0..255. A pass is skipped
 * when its axis keeps its size. Only a window of the resized image is produced (the centre crop);
 * each output pixel depends only on its own weights, so the window equals the crop of the whole.
 *
 * <p>Stateless; safe to use from several threads.
 */
final class PillowBilinearResampler {
    /** Fractional bits of the fixed-point weights: 32 bits less 8 for the pixel, less 2 to spare. */
    static final int PRECISION_BITS = 32 - 8 - 2;

    private PillowBilinearResampler() {}

    /**
     * Resizes a {@code width x height} image to {@code outWidth x outHeight} and returns the window
     * of {@code windowWidth x windowHeight} output pixels whose top-left corner is {@code (left,
     * top)}.
     *
     * @param rgb packed {@code 0xRRGGBB} pixels, row by row; the top byte is ignored
     * @return packed {@code 0xRRGGBB} pixels of the window, row by row
     */
    static int[] resizeWindow(int[] rgb, int width, int height, int outWidth, int outHeight,
            int left, int top, int windowWidth, int windowHeight) {
        // The horizontal pass keeps every input row; the vertical pass then picks its rows from them.
        int[] rows = outWidth == width
                ? copyColumns(rgb, width, height, left, windowWidth)
                : horizontalPass(rgb, width, height, Weights.of(width, outWidth, left, windowWidth));
        return outHeight == height
                ? copyRows(rows, windowWidth, top, windowHeight)
                : verticalPass(rows, windowWidth, Weights.of(height, outHeight, top, windowHeight));
    }

    private static int[] horizontalPass(int[] in, int width, int height, Weights weights) {
        int outWidth = weights.count();
        int[] out = new int[outWidth * height];
        for (int y = 0; y < height; y++) {
            int row = y * width;
            for (int x = 0; x < outWidth; x++) {
                out[y * outWidth + x] = filterPixel(in, row + weights.first(x), 1, weights, x);
            }
        }
        return out;
    }

    private static int[] verticalPass(int[] in, int width, Weights weights) {
        int outHeight = weights.count();
        int[] out = new int[width * outHeight];
        for (int y = 0; y < outHeight; y++) {
            int row = weights.first(y) * width;
            for (int x = 0; x < width; x++) {
                out[y * width + x] = filterPixel(in, row + x, width, weights, y);
            }
        }
        return out;
    }

    /** One output pixel: the weighted sum of {@code taps} input pixels {@code step} apart. */
    private static int filterPixel(int[] in, int start, int step, Weights weights, int output) {
        int half = 1 << (PRECISION_BITS - 1);
        int r = half;
        int g = half;
        int b = half;
        int base = output * weights.stride();
        for (int t = 0, p = start; t < weights.taps(output); t++, p += step) {
            int w = weights.fixedPoint()[base + t];
            int pixel = in[p];
            r += (pixel >> 16 & 0xFF) * w;
            g += (pixel >> 8 & 0xFF) * w;
            b += (pixel & 0xFF) * w;
        }
        return clamp8(r) << 16 | clamp8(g) << 8 | clamp8(b);
    }

    private static int clamp8(int fixedPoint) {
        return Math.max(0, Math.min(255, fixedPoint >> PRECISION_BITS));
    }

    private static int[] copyColumns(int[] in, int width, int height, int left, int count) {
        int[] out = new int[count * height];
        for (int y = 0; y < height; y++) {
            System.arraycopy(in, y * width + left, out, y * count, count);
        }
        return out;
    }

    private static int[] copyRows(int[] in, int width, int top, int count) {
        int[] out = new int[width * count];
        System.arraycopy(in, top * width, out, 0, out.length);
        return out;
    }

    /**
     * The fixed-point filter weights of outputs {@code [offset, offset + count)} of a resize of one
     * axis from {@code inSize} to {@code outSize}: output {@code i} reads {@code taps(i)} inputs
     * from {@code first(i)}, weighted by {@code fixedPoint[i * stride ...]}.
     */
    private record Weights(int[] firsts, int[] tapCounts, int[] fixedPoint, int stride) {
        static Weights of(int inSize, int outSize, int offset, int count) {
            double scale = (double) inSize / outSize;
            double filterScale = Math.max(scale, 1.0);
            double support = 1.0 * filterScale; // the triangle's radius, stretched when downscaling
            double inverse = 1.0 / filterScale;
            int stride = (int) Math.ceil(support) * 2 + 1;
            int[] firsts = new int[count];
            int[] tapCounts = new int[count];
            int[] fixedPoint = new int[count * stride];
            double[] exact = new double[stride];
            for (int i = 0; i < count; i++) {
                double center = (offset + i + 0.5) * scale;
                // (int) truncates toward zero, as C does; "+ 0.5" then rounds the window's ends.
                int first = Math.max(0, (int) (center - support + 0.5));
                int end = Math.min(inSize, (int) (center + support + 0.5));
                double sum = 0.0;
                for (int t = 0; t < end - first; t++) {
                    exact[t] = triangle((t + first - center + 0.5) * inverse);
                    sum += exact[t];
                }
                for (int t = 0; t < end - first; t++) {
                    double normalised = sum != 0.0 ? exact[t] / sum : exact[t];
                    fixedPoint[i * stride + t] = toFixedPoint(normalised);
                }
                firsts[i] = first;
                tapCounts[i] = end - first;
            }
            return new Weights(firsts, tapCounts, fixedPoint, stride);
        }

        int count() {
            return firsts.length;
        }

        int first(int output) {
            return firsts[output];
        }

        int taps(int output) {
            return tapCounts[output];
        }

        private static double triangle(double x) {
            double distance = Math.abs(x);
            return distance < 1.0 ? 1.0 - distance : 0.0;
        }

        /** Rounds half away from zero and truncates, as a C cast after adding ±0.5. */
        private static int toFixedPoint(double weight) {
            double scaled = weight * (1 << PRECISION_BITS);
            return (int) (weight < 0 ? scaled - 0.5 : scaled + 0.5);
        }
    }
}
