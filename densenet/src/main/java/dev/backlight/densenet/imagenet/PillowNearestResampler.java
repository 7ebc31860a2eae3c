package dev.backlight.densenet.imagenet;

/**
 * Pillow's nearest-neighbour resize ({@code Image.resize(size, Image.NEAREST)}, what
 * {@code keras.utils.load_img(target_size=...)} uses by default), bit for bit: output pixel
 * {@code x} takes source column {@code floor(x0 + (x + 0.5) · w / outW)}, where Pillow adds the
 * step {@code w / outW} to a running double for each column (and likewise for rows), so the same
 * rounding of the accumulated sum is reproduced here. Stateless.
 */
final class PillowNearestResampler {
    private PillowNearestResampler() {}

    /**
     * Resizes packed RGB pixels ({@code width x height}, row-major) to {@code outWidth x outHeight}.
     *
     * @throws IllegalArgumentException unless all sizes are positive and the array matches
     */
    static int[] resize(int[] pixels, int width, int height, int outWidth, int outHeight) {
        if (width <= 0 || height <= 0 || outWidth <= 0 || outHeight <= 0 || pixels.length != width * height) {
            throw new IllegalArgumentException("cannot resize " + width + "x" + height + " (" + pixels.length
                    + " pixels) to " + outWidth + "x" + outHeight);
        }
        int[] columns = positions(width, outWidth);
        int[] rows = positions(height, outHeight);
        int[] out = new int[outWidth * outHeight];
        for (int y = 0; y < outHeight; y++) {
            int from = rows[y] * width;
            for (int x = 0; x < outWidth; x++) {
                out[y * outWidth + x] = pixels[from + columns[x]];
            }
        }
        return out;
    }

    /** Source index of each output index, accumulated in double as Pillow's ImagingScaleAffine does. */
    private static int[] positions(int in, int out) {
        double step = (double) in / out;
        double at = step * 0.5;
        int[] index = new int[out];
        for (int i = 0; i < out; i++) {
            // Truncation of a non-negative double; the result cannot reach `in` (at < in throughout).
            index[i] = Math.min((int) at, in - 1);
            at += step;
        }
        return index;
    }
}
