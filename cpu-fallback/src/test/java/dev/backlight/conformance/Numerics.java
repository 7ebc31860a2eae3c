package dev.backlight.conformance;

import dev.backlight.api.Shape;
import dev.backlight.api.Tensor;
import java.util.SplittableRandom;

/** Seeded inputs and error measures for the conformance tests. */
public final class Numerics {
    private Numerics() {
    }

    /** A tensor of standard-normal values from a seeded stream (never zeros). */
    public static Tensor gaussian(Shape shape, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] v = new float[shape.size()];
        for (int i = 0; i < v.length; i++) {
            double u1 = 1.0 - r.nextDouble();
            v[i] = (float) (Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * r.nextDouble()));
        }
        return Tensor.of(shape, v);
    }

    /** ‖a − b‖₂ / ‖b‖₂, with b the reference. */
    public static double relativeL2(float[] a, double[] b) {
        if (a.length != b.length) {
            throw new IllegalArgumentException(a.length + " vs " + b.length);
        }
        double num = 0;
        double den = 0;
        for (int i = 0; i < a.length; i++) {
            num += (a[i] - b[i]) * (a[i] - b[i]);
            den += b[i] * b[i];
        }
        return Math.sqrt(num / den);
    }

    /** ‖a − b‖₂ / ‖b‖₂ for two float arrays. */
    public static double relativeL2(float[] a, float[] b) {
        double[] wide = new double[b.length];
        for (int i = 0; i < b.length; i++) {
            wide[i] = b[i];
        }
        return relativeL2(a, wide);
    }

    /** ‖a − b‖₂ / ‖b‖₂ for two double arrays. */
    public static double relativeL2(double[] a, double[] b) {
        double num = 0;
        double den = 0;
        for (int i = 0; i < a.length; i++) {
            num += (a[i] - b[i]) * (a[i] - b[i]);
            den += b[i] * b[i];
        }
        return Math.sqrt(num / den);
    }

    /** Whether every element is finite. */
    public static boolean allFinite(float[] a) {
        for (float v : a) {
            if (!Float.isFinite(v)) {
                return false;
            }
        }
        return true;
    }

    /** Fraction of non-zero elements. */
    public static double nonZeroFraction(float[] a) {
        int nz = 0;
        for (float v : a) {
            if (v != 0f) {
                nz++;
            }
        }
        return (double) nz / a.length;
    }
}
