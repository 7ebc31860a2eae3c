package dev.backlight.cuda;

/**
 * One step of a {@link DevicePlan}: a graph node (or a batch norm fused with its ReLU) and the
 * indices of its parameters in {@link DevicePlan#parameters}. Steps are data; {@link CudaModel}
 * runs them on a {@link Device}.
 */
sealed interface DeviceStep {
    /** The node name, for profiles and messages. */
    String name();

    /** The value this step writes. */
    DeviceValue output();

    /** The values this step reads. */
    DeviceValue[] inputs();

    /** The graph input: the model uploads the caller's images into it. */
    record Input(String name, DeviceValue output) implements DeviceStep {
        @Override
        public DeviceValue[] inputs() {
            return new DeviceValue[0];
        }
    }

    /** A convolution; {@code bias} is -1 when it has none. */
    record Conv(String name, DeviceValue input, DeviceValue output, Device.Conv conv, int weight, int bias) implements DeviceStep {
        @Override
        public DeviceValue[] inputs() {
            return new DeviceValue[] {input};
        }
    }

    /**
     * An eval-mode batch norm {@code a·x + b} (a, b folded from γ, β, mean, var), with its ReLU fused
     * when {@code relu}; a plain ReLU is this step with {@code a = 1, b = 0}.
     */
    record BatchNormRelu(String name, DeviceValue input, DeviceValue output, int scale, int shift, boolean relu) implements DeviceStep {
        @Override
        public DeviceValue[] inputs() {
            return new DeviceValue[] {input};
        }
    }

    /** Max pooling; {@code argmaxBuffer} indexes {@link DevicePlan#argmaxSizes}. */
    record MaxPool(String name, DeviceValue input, DeviceValue output, Device.Pool pool, int argmaxBuffer) implements DeviceStep {
        @Override
        public DeviceValue[] inputs() {
            return new DeviceValue[] {input};
        }
    }

    /** Average pooling. */
    record AvgPool(String name, DeviceValue input, DeviceValue output, Device.Pool pool) implements DeviceStep {
        @Override
        public DeviceValue[] inputs() {
            return new DeviceValue[] {input};
        }
    }

    /** Global average pooling to a packed {@code [N, C]}. */
    record GlobalAvgPool(String name, DeviceValue input, DeviceValue output) implements DeviceStep {
        @Override
        public DeviceValue[] inputs() {
            return new DeviceValue[] {input};
        }
    }

    /** A fully connected layer; {@code bias} is -1 when it has none. */
    record Linear(String name, DeviceValue input, DeviceValue output, int weight, int bias) implements DeviceStep {
        @Override
        public DeviceValue[] inputs() {
            return new DeviceValue[] {input};
        }
    }

    /** A concatenation that could not be placed without copies. */
    record ConcatCopy(String name, DeviceValue[] parts, DeviceValue output) implements DeviceStep {
        @Override
        public DeviceValue[] inputs() {
            return parts.clone();
        }
    }
}
