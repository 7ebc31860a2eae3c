package dev.backlight.cuda;

/**
 * Where one graph value lives on the device: its geometry, the buffer that holds it (for each
 * image) and, for a dense-block feature, the channel slice of the block buffer.
 */
final class DeviceValue {
    final int id;
    final String name;
    final int channels;
    final int height;
    final int width;
    /** The block (concat group) whose buffer holds this value, or -1. */
    int group = -1;
    /** The first channel of this value in its block buffer. */
    int channelOffset;
    /** Index of the forward buffer, and of the gradient buffer. */
    int dataBuffer = -1;
    int gradBuffer = -1;
    /** Floats from one image to the next in its buffers. */
    long imageStride;
    /** Kept from the forward pass until the model's next forward (read by a backward step, or observed). */
    boolean kept;

    DeviceValue(int id, String name, int channels, int height, int width) {
        this.id = id;
        this.name = name;
        this.channels = channels;
        this.height = height;
        this.width = width;
    }

    int plane() {
        return height * width;
    }

    /** Floats of one image. */
    int size() {
        return channels * height * width;
    }

    /** True if the images of this value are contiguous, one after the other ([N, size]). */
    boolean packed() {
        return imageStride == size();
    }

    @Override
    public String toString() {
        return name + "[" + channels + "x" + height + "x" + width + "]";
    }
}
