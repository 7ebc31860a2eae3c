package dev.backlight.cpu;

/**
 * The right-hand matrices of a batch of images side by side: columns {@code i · width .. (i + 1) ·
 * width} are image i's matrix ({@code images[i]}, k × width). A convolution over a batch is then one
 * GEMM whose C is laid out by {@link ImageColumns}.
 *
 * @param images one k × width matrix per image
 * @param width columns of each image's matrix
 */
record BatchedMatrix(RightMatrix[] images, int width) implements RightMatrix {
    @Override
    public void copyRow(int p, int j0, int len, float[] dst, int dstOff) {
        for (int end = j0 + len; j0 < end; ) {
            int image = j0 / width;
            int col = j0 - image * width;
            int run = Math.min(end - j0, width - col);
            images[image].copyRow(p, col, run, dst, dstOff);
            dstOff += run;
            j0 += run;
        }
    }

    @Override
    public void checkFits(int rows, int cols) {
        if (cols > images.length * width) {
            throw new IllegalArgumentException("GEMM B: " + images.length + " images of " + width
                    + " columns have no " + cols + " columns");
        }
        for (int i = 0; i * width < cols; i++) {
            images[i].checkFits(rows, Math.min(width, cols - i * width));
        }
    }
}
