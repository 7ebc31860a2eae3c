package dev.backlight.cpu;

/**
 * A value the plan computes (a node output), and where it lives: which buffer, at which channel
 * offset. Values of a zero-copy concatenation share one block buffer, each at its channel slice;
 * element (image i, channel c, pixel p) is at {@code offset(i) + c * plane + p}.
 */
final class Value {
    final int id;
    final String name;
    final int channels;
    final int height;
    final int width;
    final int plane;

    /** Block-buffer group, or -1 when the value has a buffer of its own. */
    int group = -1;
    /** Channel offset inside its buffer (0 unless in a group). */
    int channelOffset;
    /** Index of the buffer holding its data, and of the one holding its gradient. */
    int dataBuffer = -1;
    int gradBuffer = -1;
    /** Floats per image in its buffer. */
    int imageStride;
    /** Whether a backward pass reads its forward data (so its buffer lives until backward ends). */
    boolean kept;

    Value(int id, String name, int channels, int height, int width) {
        this.id = id;
        this.name = name;
        this.channels = channels;
        this.height = height;
        this.width = width;
        this.plane = height * width;
    }

    /** Floats one image of this value occupies. */
    int size() {
        return channels * plane;
    }

    /** Array offset of image {@code i}'s first element. */
    int offset(int i) {
        return i * imageStride + channelOffset * plane;
    }

    @Override
    public String toString() {
        return name + "[" + channels + "x" + height + "x" + width + "]";
    }
}
