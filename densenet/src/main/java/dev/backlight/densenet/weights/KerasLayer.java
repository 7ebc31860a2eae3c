package dev.backlight.densenet.weights;

import java.nio.FloatBuffer;
import java.util.Arrays;
import java.util.List;

/**
 * One Keras layer's weights as a file holds them, in file order.
 *
 * @param path where the file keeps it, for messages
 * @param name the Keras layer name ({@code conv1_conv}, {@code conv1/conv}), or null when the
 *     file names layers by class only (Keras 3)
 * @param vars its variables in the layer's order
 */
record KerasLayer(String path, String name, List<Var> vars) {
    /**
     * One variable.
     *
     * @param name {@code kernel}, {@code gamma}, ... in legacy files; its index in Keras 3 ones
     * @param dims its shape in Keras layout
     * @param data its values, row-major, from position 0: a view of the file's bytes where they can
     *     be read as they are (contiguous little- or big-endian float32), else an array jhdf filled
     */
    record Var(String name, int[] dims, FloatBuffer data) {
        /** The values copied into a new array. */
        float[] toArray() {
            float[] out = new float[data.capacity()];
            data.duplicate().clear().get(out);
            return out;
        }

        @Override
        public String toString() {
            return name + Arrays.toString(dims);
        }
    }

    /** What a layer is, told from its variables. */
    enum Kind { CONV, BATCH_NORM, DENSE }

    /** Its kind, or null when its variables fit none (a convolution with a bias, a custom layer). */
    Kind kind() {
        if (vars.size() == 1 && vars.get(0).dims().length == 4) {
            return Kind.CONV;
        }
        if (vars.size() == 2 && vars.get(0).dims().length == 2 && vars.get(1).dims().length == 1) {
            return Kind.DENSE;
        }
        if (vars.size() == 4) {
            for (Var v : vars) {
                if (v.dims().length != 1 || v.dims()[0] != vars.get(0).dims()[0]) {
                    return null;
                }
            }
            return Kind.BATCH_NORM;
        }
        return null;
    }
}
