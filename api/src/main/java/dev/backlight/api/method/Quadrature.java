package dev.backlight.api.method;

/**
 * Rules for the path integral of Integrated Gradients over α ∈ [0, 1]: where the gradient is
 * evaluated ({@link #nodes}) and with which weight ({@link #weights}).
 */
public enum Quadrature {
    /** Left Riemann sum: α = j/m. */
    RIEMANN_LEFT,
    /** Right Riemann sum: α = (j+1)/m. */
    RIEMANN_RIGHT,
    /** Midpoint Riemann sum: α = (j+½)/m. */
    RIEMANN_MIDDLE,
    /** Trapezoidal rule: α = j/(m−1), end points weighted ½. */
    RIEMANN_TRAPEZOID,
    /** Gauss–Legendre: exact for polynomials of degree 2m−1 along the path. */
    GAUSS_LEGENDRE;

    /** The m evaluation points in [0, 1]. */
    public double[] nodes(int m) {
        return compute(m)[0];
    }

    /** The m weights, summing to 1. */
    public double[] weights(int m) {
        return compute(m)[1];
    }

    private double[][] compute(int m) {
        if (m < 1 || (this == RIEMANN_TRAPEZOID && m < 2)) {
            throw new IllegalArgumentException(this + " needs at least " + (this == RIEMANN_TRAPEZOID ? 2 : 1) + " steps, got " + m);
        }
        double[] a = new double[m];
        double[] w = new double[m];
        switch (this) {
            case RIEMANN_LEFT:
            case RIEMANN_RIGHT:
            case RIEMANN_MIDDLE:
                double shift = this == RIEMANN_LEFT ? 0 : this == RIEMANN_RIGHT ? 1 : 0.5;
                for (int j = 0; j < m; j++) {
                    a[j] = (j + shift) / m;
                    w[j] = 1.0 / m;
                }
                break;
            case RIEMANN_TRAPEZOID:
                for (int j = 0; j < m; j++) {
                    a[j] = (double) j / (m - 1);
                    w[j] = (j == 0 || j == m - 1 ? 0.5 : 1.0) / (m - 1);
                }
                break;
            default:
                gaussLegendre(m, a, w);
        }
        return new double[][] {a, w};
    }

    /** Roots of the Legendre polynomial P_m by Newton's method, mapped from [−1, 1] to [0, 1]. */
    private static void gaussLegendre(int m, double[] a, double[] w) {
        for (int i = 0; i < (m + 1) / 2; i++) {
            double x = Math.cos(Math.PI * (i + 0.75) / (m + 0.5));
            double derivative = 0;
            for (int iter = 0; iter < 100; iter++) {
                double p0 = 1;
                double p1 = x;
                for (int k = 2; k <= m; k++) {
                    double p2 = ((2 * k - 1) * x * p1 - (k - 1) * p0) / k;
                    p0 = p1;
                    p1 = p2;
                }
                derivative = m * (x * p1 - p0) / (x * x - 1);
                double dx = p1 / derivative;
                x -= dx;
                if (Math.abs(dx) < 1e-15) {
                    break;
                }
            }
            double weight = 2 / ((1 - x * x) * derivative * derivative);
            a[i] = (1 - x) / 2;
            a[m - 1 - i] = (1 + x) / 2;
            w[i] = weight / 2;
            w[m - 1 - i] = weight / 2;
        }
    }
}
