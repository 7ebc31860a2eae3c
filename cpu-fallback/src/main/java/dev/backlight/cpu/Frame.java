package dev.backlight.cpu;

import java.util.Arrays;

/**
 * The buffers of one compiled model for one batch size: forward data, gradients, max-pool
 * indices and a convolution scratch area. Reused across calls with the same batch size.
 */
final class Frame {
    final int batch;
    final Workers workers;
    final float[][] data;
    final float[][] grad;
    final int[][] indices;
    final float[] scratch;

    Frame(int batch, Workers workers, int[] dataSizes, int[] gradSizes, int[] indexSizes, int scratchSize) {
        this.batch = batch;
        this.workers = workers;
        this.data = allocate(batch, dataSizes);
        this.grad = allocate(batch, gradSizes);
        this.indices = new int[indexSizes.length][];
        for (int i = 0; i < indexSizes.length; i++) {
            indices[i] = new int[Math.multiplyExact(batch, indexSizes[i])];
        }
        this.scratch = new float[scratchSize];
    }

    float[] data(Value v) {
        return data[v.dataBuffer];
    }

    float[] grad(Value v) {
        return grad[v.gradBuffer];
    }

    /** Zeroes the gradient of {@code v} (all images, only its channels). */
    void zeroGrad(Value v) {
        float[] g = grad(v);
        for (int i = 0; i < batch; i++) {
            int o = v.offset(i);
            Arrays.fill(g, o, o + v.size(), 0f);
        }
    }

    private static float[][] allocate(int batch, int[] sizes) {
        float[][] out = new float[sizes.length][];
        for (int i = 0; i < sizes.length; i++) {
            out[i] = new float[Math.multiplyExact(batch, sizes[i])];
        }
        return out;
    }
}
