package dev.backlight.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link ElementwiseKernel} on the Vector API. Loaded only by {@link Elementwise}, by reflection,
 * when the JVM has {@code jdk.incubator.vector}; no other class may refer to this one or to that
 * module. Each loop runs whole vectors, then the last {@code len mod V} elements in scalar code
 * that rounds as the lanes do.
 */
final class VectorElementwise implements ElementwiseKernel {
    private static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;
    private static final int V = SPECIES.length();
    private static final ScalarElementwise TAIL = new ScalarElementwise();

    @Override
    public void scaleShift(float a, float b, boolean relu, float[] x, int xo, float[] y, int yo, int len) {
        int p = 0;
        for (; p <= len - V; p += V) {
            FloatVector v = FloatVector.fromArray(SPECIES, x, xo + p).mul(a).add(b);
            (relu ? v.max(0f) : v).intoArray(y, yo + p);
        }
        TAIL.scaleShift(a, b, relu, x, xo + p, y, yo + p, len - p);
    }

    @Override
    public void guided(float a, float b, float[] x, int xo, float[] dy, int dyo, float[] dx, int dxo, int len) {
        int p = 0;
        for (; p <= len - V; p += V) {
            FloatVector v = FloatVector.fromArray(SPECIES, x, xo + p).mul(a).add(b);
            FloatVector g = FloatVector.fromArray(SPECIES, dy, dyo + p);
            VectorMask<Float> pass = v.compare(VectorOperators.GT, 0f).and(g.compare(VectorOperators.GT, 0f));
            FloatVector d = FloatVector.fromArray(SPECIES, dx, dxo + p);
            d.add(g.mul(a), pass).intoArray(dx, dxo + p);
        }
        TAIL.guided(a, b, x, xo + p, dy, dyo + p, dx, dxo + p, len - p);
    }

    @Override
    public void vanilla(float a, float b, float[] x, int xo, float[] dy, int dyo, float[] dx, int dxo, int len) {
        int p = 0;
        for (; p <= len - V; p += V) {
            FloatVector v = FloatVector.fromArray(SPECIES, x, xo + p).mul(a).add(b);
            FloatVector g = FloatVector.fromArray(SPECIES, dy, dyo + p);
            FloatVector d = FloatVector.fromArray(SPECIES, dx, dxo + p);
            d.add(g.mul(a), v.compare(VectorOperators.GT, 0f)).intoArray(dx, dxo + p);
        }
        TAIL.vanilla(a, b, x, xo + p, dy, dyo + p, dx, dxo + p, len - p);
    }

    @Override
    public void deconvnet(float a, float[] dy, int dyo, float[] dx, int dxo, int len) {
        int p = 0;
        for (; p <= len - V; p += V) {
            FloatVector g = FloatVector.fromArray(SPECIES, dy, dyo + p);
            FloatVector d = FloatVector.fromArray(SPECIES, dx, dxo + p);
            d.add(g.mul(a), g.compare(VectorOperators.GT, 0f)).intoArray(dx, dxo + p);
        }
        TAIL.deconvnet(a, dy, dyo + p, dx, dxo + p, len - p);
    }

    @Override
    public void scale(float a, float[] dy, int dyo, float[] dx, int dxo, int len) {
        int p = 0;
        for (; p <= len - V; p += V) {
            FloatVector g = FloatVector.fromArray(SPECIES, dy, dyo + p);
            FloatVector.fromArray(SPECIES, dx, dxo + p).add(g.mul(a)).intoArray(dx, dxo + p);
        }
        TAIL.scale(a, dy, dyo + p, dx, dxo + p, len - p);
    }
}
