package dev.backlight.cpu;

import java.util.Arrays;

/**
 * The im2col matrix of one image's feature map, read in place: row {@code (c·kh + ky)·kw + kx},
 * column {@code oy·ow + ox} holds input pixel {@code (c, oy·stride − padH + ky, ox·stride − padW +
 * kx)}, or 0 where that falls outside the map. A convolution is then {@code W · im2col(x)} without
 * the im2col matrix ever being written: the GEMM copies each row run straight from the map into
 * its packed panels. Paddings may be negative (rows then start inside the map), which the
 * transposed convolution of a backward pass needs when the forward padding exceeds kernel − 1.
 *
 * @param x the feature maps
 * @param offset where this image's channel 0 starts in {@code x}
 * @param height rows of each input plane
 * @param width columns of each input plane
 * @param outHeight rows of output pixels (columns of the matrix = outHeight × outWidth)
 * @param outWidth columns of output pixels
 */
record Im2colMatrix(float[] x, int offset, int channels, int height, int width, int kh, int kw, int stride,
                    int padH, int padW, int outHeight, int outWidth) implements RightMatrix {

    @Override
    public void copyRow(int p, int j0, int len, float[] dst, int dstOff) {
        int c = p / (kh * kw);
        int r = p - c * kh * kw;
        int ky = r / kw;
        int kx = r - ky * kw;
        int plane = offset + c * height * width;
        int oy = j0 / outWidth;
        int ox = j0 - oy * outWidth;
        int d = dstOff;
        int end = dstOff + len;
        while (d < end) {
            int run = Math.min(end - d, outWidth - ox);
            int iy = oy * stride - padH + ky;
            if (iy < 0 || iy >= height) {
                Arrays.fill(dst, d, d + run, 0f);
            } else if (stride == 1) {
                // Input columns ix0 .. ix0 + run - 1: zeros left of the map, a copy, zeros right of it.
                int ix0 = ox - padW + kx;
                int left = Math.min(run, Math.max(0, -ix0));
                int right = Math.min(run - left, Math.max(0, ix0 + run - width));
                int copy = run - left - right;
                if (left > 0) {
                    Arrays.fill(dst, d, d + left, 0f);
                }
                if (copy > 0) {
                    System.arraycopy(x, plane + iy * width + ix0 + left, dst, d + left, copy);
                }
                if (right > 0) {
                    Arrays.fill(dst, d + left + copy, d + run, 0f);
                }
            } else {
                int row = plane + iy * width;
                for (int q = 0; q < run; q++) {
                    int ix = (ox + q) * stride - padW + kx;
                    dst[d + q] = ix >= 0 && ix < width ? x[row + ix] : 0f;
                }
            }
            d += run;
            oy++;
            ox = 0;
        }
    }

    @Override
    public void checkFits(int rows, int cols) {
        if (rows > channels * kh * kw || cols > outHeight * outWidth) {
            throw new IllegalArgumentException("GEMM B: an im2col matrix of " + channels * kh * kw + "×"
                    + outHeight * outWidth + " has no " + rows + "×" + cols + " block");
        }
        Gemm.checkMatrix("im2col source", x, offset, height * width, channels, height * width);
    }
}
