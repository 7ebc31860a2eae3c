package dev.backlight.api;

import java.util.Arrays;

/**
 * An immutable tensor shape: a list of non-negative dimension sizes, outermost first.
 *
 * <p>Image tensors are NCHW: {@code [batch, channels, height, width]}.
 */
public final class Shape {
    private final int[] dims;

    private Shape(int[] dims) {
        this.dims = dims;
    }

    /**
     * Creates a shape.
     *
     * @param dims dimension sizes, outermost first; each at least 0
     * @return the shape
     * @throws IllegalArgumentException if a dimension is negative or the element count overflows a
     *     Java array index
     */
    public static Shape of(int... dims) {
        int[] copy = dims.clone();
        boolean empty = false;
        for (int d : copy) {
            if (d < 0) {
                throw new IllegalArgumentException("negative dimension in shape " + Arrays.toString(copy));
            }
            empty |= d == 0;
        }
        long size = 1;
        for (int i = 0; i < copy.length && !empty; i++) { // a zero anywhere makes any other sizes fine
            size *= copy[i];
            if (size > Integer.MAX_VALUE - 8) {
                throw new IllegalArgumentException(
                        "shape " + Arrays.toString(copy) + " has more elements than a Java array can hold");
            }
        }
        return new Shape(copy);
    }

    /** Shorthand for a 4-d NCHW image shape. */
    public static Shape nchw(int n, int c, int h, int w) {
        return of(n, c, h, w);
    }

    /** Number of dimensions. */
    public int rank() {
        return dims.length;
    }

    /** Size of dimension {@code i} (0 is outermost). */
    public int dim(int i) {
        return dims[i];
    }

    /** A copy of the dimension sizes. */
    public int[] dims() {
        return dims.clone();
    }

    /** Number of elements (the product of the dimensions; 1 for rank 0). */
    public int size() {
        int s = 1;
        for (int d : dims) {
            s *= d;
        }
        return s;
    }

    /** This shape with dimension 0 replaced by {@code n}. */
    public Shape withBatch(int n) {
        int[] copy = dims.clone();
        copy[0] = n;
        return of(copy);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Shape && Arrays.equals(dims, ((Shape) o).dims);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(dims);
    }

    @Override
    public String toString() {
        return Arrays.toString(dims);
    }
}
