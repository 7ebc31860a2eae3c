package dev.backlight.api.graph;

/**
 * An operation of the graph IR. Ops are immutable value objects; the shapes they produce are
 * inferred by {@link GraphBuilder}. Per-image shapes are {@code [C, H, W]} for feature maps and
 * {@code [C]} for vectors; the batch dimension is implicit.
 *
 * <p>Every backend must execute the forward pass of every op, and the backward-data pass (input
 * gradient only, never weight gradients) of every op.
 */
public sealed interface Op
        permits Op.Input, Op.Conv2d, Op.BatchNorm, Op.Relu, Op.MaxPool, Op.AvgPool, Op.GlobalAvgPool,
                Op.Concat, Op.Linear {

    /** A short lower-case name of the op kind, for messages and reports. */
    String kind();

    /** The graph input: a batch of {@code [channels, height, width]} images. */
    record Input(int channels, int height, int width) implements Op {
        @Override
        public String kind() {
            return "input";
        }
    }

    /**
     * 2-d convolution (cross-correlation, as PyTorch), square stride and zero padding.
     *
     * @param weight name of the {@code [out, in, kernelH, kernelW]} weight tensor
     * @param bias name of the {@code [out]} bias tensor, or {@code null} for none
     */
    record Conv2d(String weight, String bias, int outChannels, int inChannels, int kernelH, int kernelW,
                  int stride, int padding) implements Op {
        @Override
        public String kind() {
            return "conv2d";
        }
    }

    /**
     * Eval-mode batch normalisation with frozen statistics:
     * {@code y = (x - running_mean) / sqrt(running_var + eps) * weight + bias}, per channel. Its
     * backward is the per-channel scale {@code weight / sqrt(running_var + eps)}.
     *
     * @param prefix the tensors are {@code prefix.weight}, {@code .bias}, {@code .running_mean},
     *     {@code .running_var}, each of shape {@code [channels]}
     */
    record BatchNorm(String prefix, int channels, float eps) implements Op {
        @Override
        public String kind() {
            return "batchnorm";
        }
    }

    /**
     * Rectified linear unit. Its backward is where attribution methods differ: the backward of
     * every ReLU node is given by the {@link dev.backlight.api.rule.ReluRule} of the pass.
     */
    record Relu() implements Op {
        @Override
        public String kind() {
            return "relu";
        }
    }

    /**
     * Max pooling over square windows; padded positions never win. The backward pass sends each
     * window's gradient to the first maximum in row-major window order (as PyTorch).
     */
    record MaxPool(int kernel, int stride, int padding) implements Op {
        @Override
        public String kind() {
            return "maxpool";
        }
    }

    /** Average pooling over square windows, padding counted in the divisor (PyTorch's default). */
    record AvgPool(int kernel, int stride, int padding) implements Op {
        @Override
        public String kind() {
            return "avgpool";
        }
    }

    /** Mean over height and width: {@code [C, H, W] -> [C]}. */
    record GlobalAvgPool() implements Op {
        @Override
        public String kind() {
            return "globalavgpool";
        }
    }

    /** Concatenation of feature maps of equal height and width along the channel axis. */
    record Concat() implements Op {
        @Override
        public String kind() {
            return "concat";
        }
    }

    /**
     * Fully connected layer {@code y = W x + b} on vectors.
     *
     * @param weight name of the {@code [out, in]} weight tensor
     * @param bias name of the {@code [out]} bias tensor, or {@code null} for none
     */
    record Linear(String weight, String bias, int inFeatures, int outFeatures) implements Op {
        @Override
        public String kind() {
            return "linear";
        }
    }
}
