package dev.backlight.api;

import java.util.Arrays;
import java.util.Objects;

/**
 * A dense float32 tensor in host memory, row-major (C order); images are NCHW.
 *
 * <p>The tensor wraps its array without copying: {@link #data()} returns the live backing array.
 * Tensors handed to a backend are read, never modified; tensors returned by a backend belong to
 * the caller. Not thread-safe for concurrent writes.
 */
public final class Tensor {
    private final Shape shape;
    private final float[] data;

    private Tensor(Shape shape, float[] data) {
        this.shape = shape;
        this.data = data;
    }

    /**
     * Wraps {@code data} (not copied) as a tensor of the given shape.
     *
     * @throws IllegalArgumentException if the array length differs from the shape's element count
     */
    public static Tensor of(Shape shape, float[] data) {
        Objects.requireNonNull(shape, "shape");
        Objects.requireNonNull(data, "data");
        if (data.length != shape.size()) {
            throw new IllegalArgumentException(
                    "data has " + data.length + " elements but shape " + shape + " needs " + shape.size());
        }
        return new Tensor(shape, data);
    }

    /** A new zero-filled tensor. */
    public static Tensor zeros(Shape shape) {
        return new Tensor(shape, new float[shape.size()]);
    }

    /** The shape. */
    public Shape shape() {
        return shape;
    }

    /** The live backing array, row-major. */
    public float[] data() {
        return data;
    }

    /** Number of elements. */
    public int size() {
        return data.length;
    }

    /** A deep copy. */
    public Tensor copy() {
        return new Tensor(shape, data.clone());
    }

    /**
     * The contiguous slice {@code [from, to)} along dimension 0, copied (for example some images of
     * a batch).
     */
    public Tensor slice(int from, int to) {
        int n = shape.dim(0);
        if (from < 0 || to > n || from > to) {
            throw new IndexOutOfBoundsException("slice [" + from + ", " + to + ") of dimension 0 of size " + n);
        }
        int per = n == 0 ? 0 : data.length / n;
        return new Tensor(shape.withBatch(to - from), Arrays.copyOfRange(data, from * per, to * per));
    }

    /** Concatenates tensors of equal trailing shape along dimension 0. */
    public static Tensor concat(java.util.List<Tensor> parts) {
        if (parts.isEmpty()) {
            throw new IllegalArgumentException("nothing to concatenate");
        }
        Shape first = parts.get(0).shape;
        int n = 0;
        for (Tensor t : parts) {
            if (t.shape.rank() != first.rank() || !t.shape.withBatch(0).equals(first.withBatch(0))) {
                throw new IllegalArgumentException("cannot concatenate " + t.shape + " with " + first);
            }
            n += t.shape.dim(0);
        }
        float[] out = new float[first.withBatch(n).size()];
        int pos = 0;
        for (Tensor t : parts) {
            System.arraycopy(t.data, 0, out, pos, t.data.length);
            pos += t.data.length;
        }
        return new Tensor(first.withBatch(n), out);
    }

    @Override
    public String toString() {
        return "Tensor" + shape;
    }
}
