package dev.backlight.cpu;

import java.util.Arrays;

/**
 * Where the columns of a GEMM's C lie when they span a batch of images: column j is column
 * {@code j % width} of image {@code j / width}, and image i's block of C starts {@code i ·
 * imageStride} elements after image 0's. Row r of image i's block is {@code ldc} elements after
 * row r − 1, as in a plain matrix. One image ({@link #single}) is a plain row-major matrix.
 *
 * <p>This lets one GEMM cover a whole batch of a convolution (n = batch × plane): with DenseNet's
 * 14×14 and 7×7 maps a single image's 196 or 49 columns fill few register tiles.
 *
 * @param width columns per image
 * @param imageStride elements from one image's first element to the next one's
 */
record ImageColumns(int width, int imageStride) {
    ImageColumns {
        if (width < 1 || imageStride < 0) {
            throw new IllegalArgumentException("image columns need width >= 1 and imageStride >= 0, got width "
                    + width + ", imageStride " + imageStride);
        }
    }

    /** The columns of one plain matrix of n columns. */
    static ImageColumns single(int n) {
        return new ImageColumns(Math.max(1, n), 0);
    }

    /** Offset of column j from column 0, in row 0. */
    int offset(int j) {
        int image = j / width;
        return image * imageStride + (j - image * width);
    }

    /** Whether columns {@code j .. j + len} lie in one image (so they are contiguous in each row). */
    boolean contiguous(int j, int len) {
        return j % width + len <= width;
    }

    /** Copies row {@code r}, columns {@code j .. j + len}, of C (at {@code cOff}) to {@code dst}. */
    void load(float[] c, int cOff, int ldc, int r, int j, int len, float[] dst, int dstOff) {
        int row = cOff + r * ldc;
        for (int end = j + len; j < end; ) {
            int run = Math.min(end - j, width - j % width);
            System.arraycopy(c, row + offset(j), dst, dstOff, run);
            dstOff += run;
            j += run;
        }
    }

    /** Copies {@code src} back to row {@code r}, columns {@code j .. j + len}, of C. */
    void store(float[] src, int srcOff, float[] c, int cOff, int ldc, int r, int j, int len) {
        int row = cOff + r * ldc;
        for (int end = j + len; j < end; ) {
            int run = Math.min(end - j, width - j % width);
            System.arraycopy(src, srcOff, c, row + offset(j), run);
            srcOff += run;
            j += run;
        }
    }

    /** Sets row {@code r}, columns {@code j .. j + len}, of C to {@code value}. */
    void fill(float[] c, int cOff, int ldc, int r, int j, int len, float value) {
        int row = cOff + r * ldc;
        for (int end = j + len; j < end; ) {
            int run = Math.min(end - j, width - j % width);
            int o = row + offset(j);
            Arrays.fill(c, o, o + run, value);
            j += run;
        }
    }

    /** Throws unless C, {@code rows × cols} from {@code cOff}, fits in {@code c} (each image's block checked). */
    void checkFits(float[] c, int cOff, int ldc, int rows, int cols) {
        for (int i = 0; (long) i * width < cols; i++) {
            Gemm.checkMatrix("C", c, cOff + i * imageStride, ldc, rows, Math.min(width, cols - i * width));
        }
    }
}
