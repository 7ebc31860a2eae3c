package dev.backlight.api.method;

import dev.backlight.api.Tensor;
import java.util.Objects;

/**
 * The reference input of Integrated Gradients, in model-input (normalised) space. Immutable.
 */
public interface Baseline {

    /** The baseline for a batch {@code [N, C, H, W]}; same shape. */
    Tensor baselineFor(Tensor input);

    /** A short description for reports. */
    String description();

    /** All zeros in model-input space (for ImageNet-normalised input: the mean colour). */
    static Baseline zeros() {
        return constant(new float[0], "zeros");
    }

    /**
     * A black image for input normalised as {@code (x − mean) / std}: per channel
     * {@code −mean / std}.
     */
    static Baseline black(float[] mean, float[] std) {
        float[] v = new float[mean.length];
        for (int c = 0; c < v.length; c++) {
            v[c] = -mean[c] / std[c];
        }
        return constant(v, "black");
    }

    /** A constant value per channel (an empty array means 0 everywhere). */
    static Baseline constant(float[] perChannel, String description) {
        float[] values = perChannel.clone();
        return new Baseline() {
            @Override
            public Tensor baselineFor(Tensor input) {
                int[] d = input.shape().dims();
                if (values.length != 0 && values.length != d[1]) {
                    throw new IllegalArgumentException("baseline has " + values.length + " channels, input " + d[1]);
                }
                float[] out = new float[input.size()];
                int plane = d[2] * d[3];
                if (values.length != 0) {
                    for (int q = 0; q < out.length; q++) {
                        out[q] = values[(q / plane) % d[1]];
                    }
                }
                return Tensor.of(input.shape(), out);
            }

            @Override
            public String description() {
                return description;
            }
        };
    }

    /** The input blurred with a Gaussian of standard deviation {@code sigma} pixels (edges clamped). */
    static Baseline blurred(double sigma) {
        if (!(sigma > 0)) {
            throw new IllegalArgumentException("blur sigma must be positive, got " + sigma);
        }
        return new Baseline() {
            @Override
            public Tensor baselineFor(Tensor input) {
                return GaussianBlur.blur(input, sigma);
            }

            @Override
            public String description() {
                return "blurred (sigma " + sigma + " px)";
            }
        };
    }

    /** A given tensor, {@code [N, C, H, W]} or {@code [1, C, H, W]} for every image. */
    static Baseline fixed(Tensor fixed) {
        Objects.requireNonNull(fixed, "fixed");
        return new Baseline() {
            @Override
            public Tensor baselineFor(Tensor input) {
                if (fixed.shape().equals(input.shape())) {
                    return fixed;
                }
                if (fixed.shape().withBatch(1).equals(input.shape().withBatch(1)) && fixed.shape().dim(0) == 1) {
                    int n = input.shape().dim(0);
                    float[] out = new float[input.size()];
                    for (int i = 0; i < n; i++) {
                        System.arraycopy(fixed.data(), 0, out, i * fixed.size(), fixed.size());
                    }
                    return Tensor.of(input.shape(), out);
                }
                throw new IllegalArgumentException("baseline of shape " + fixed.shape() + " does not fit input " + input.shape());
            }

            @Override
            public String description() {
                return "given tensor " + fixed.shape();
            }
        };
    }
}
