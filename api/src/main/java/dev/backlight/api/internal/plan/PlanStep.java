package dev.backlight.api.internal.plan;

/**
 * One step of a {@link GraphPlan}: a graph node, or a batch norm fused with its ReLU, with the
 * indices of its parameters in {@link GraphPlan#parameter(int)}. Steps are data: each backend runs
 * them its own way.
 */
public sealed interface PlanStep {
    /** The node name (for a fused batch norm and ReLU, both names joined by {@code +}). */
    String name();

    /** The value this step writes. */
    PlanValue output();

    /** The values this step reads. */
    PlanValue[] inputs();

    /** Whether the backward pass reads input {@code i}'s forward data (the ReLU's mask is recomputed from it). */
    default boolean keepsInput(int i) {
        return false;
    }

    /** The graph input: the backend copies the caller's images into it. */
    record Input(String name, PlanValue output) implements PlanStep {
        @Override
        public PlanValue[] inputs() {
            return new PlanValue[0];
        }
    }

    /** A convolution (cross-correlation); {@code bias} is -1 when it has none. */
    record Conv(String name, PlanValue input, PlanValue output, int kernelH, int kernelW, int stride, int padding,
                int weight, int bias) implements PlanStep {
        @Override
        public PlanValue[] inputs() {
            return new PlanValue[] {input};
        }
    }

    /**
     * An eval-mode batch norm {@code a·x + b} (a, b folded from γ, β, mean and variance, in double
     * and rounded once), with its ReLU fused when {@code relu}: the batch norm's output is never
     * stored, and the backward step recomputes the ReLU's input from {@code input}.
     */
    record BatchNormRelu(String name, PlanValue input, PlanValue output, int scale, int shift, boolean relu) implements PlanStep {
        @Override
        public PlanValue[] inputs() {
            return new PlanValue[] {input};
        }

        @Override
        public boolean keepsInput(int i) {
            return relu;
        }
    }

    /** A ReLU whose input is not a batch norm's output. */
    record Relu(String name, PlanValue input, PlanValue output) implements PlanStep {
        @Override
        public PlanValue[] inputs() {
            return new PlanValue[] {input};
        }

        @Override
        public boolean keepsInput(int i) {
            return true;
        }
    }

    /** Max pooling; {@code argmaxBuffer} indexes {@link GraphPlan#argmaxSizes()}. */
    record MaxPool(String name, PlanValue input, PlanValue output, int kernel, int stride, int padding, int argmaxBuffer) implements PlanStep {
        @Override
        public PlanValue[] inputs() {
            return new PlanValue[] {input};
        }
    }

    /** Average pooling (padding counted in the divisor). */
    record AvgPool(String name, PlanValue input, PlanValue output, int kernel, int stride, int padding) implements PlanStep {
        @Override
        public PlanValue[] inputs() {
            return new PlanValue[] {input};
        }
    }

    /** Global average pooling to {@code [N, C]}. */
    record GlobalAvgPool(String name, PlanValue input, PlanValue output) implements PlanStep {
        @Override
        public PlanValue[] inputs() {
            return new PlanValue[] {input};
        }
    }

    /** A fully connected layer, weight {@code [out, in]} row-major; {@code bias} is -1 when it has none. */
    record Linear(String name, PlanValue input, PlanValue output, int weight, int bias) implements PlanStep {
        @Override
        public PlanValue[] inputs() {
            return new PlanValue[] {input};
        }
    }

    /** A concatenation that could not be placed without copies. */
    record ConcatCopy(String name, PlanValue[] parts, PlanValue output) implements PlanStep {
        @Override
        public PlanValue[] inputs() {
            return parts.clone();
        }
    }
}
