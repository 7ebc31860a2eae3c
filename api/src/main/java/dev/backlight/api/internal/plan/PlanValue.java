package dev.backlight.api.internal.plan;

/**
 * A value of a {@link GraphPlan} (a node's output) and where it lives: the buffer that holds it
 * for each image and, for a dense-block feature, its channel slice of the block buffer. Element
 * (image n, channel c, pixel p) is at {@code n * imageStride() + (channelOffset() + c) * plane() + p}
 * of its buffer. Immutable once the plan is built.
 */
public final class PlanValue {
    private final int id;
    private final String name;
    private final int channels;
    private final int height;
    private final int width;
    int group = -1;
    int channelOffset;
    int dataBuffer = -1;
    int gradBuffer = -1;
    long imageStride;
    boolean kept;

    PlanValue(int id, String name, int channels, int height, int width) {
        this.id = id;
        this.name = name;
        this.channels = channels;
        this.height = height;
        this.width = width;
    }

    /** Its index in {@link GraphPlan#values()}. */
    public int id() {
        return id;
    }

    /** The node name. */
    public String name() {
        return name;
    }

    public int channels() {
        return channels;
    }

    public int height() {
        return height;
    }

    public int width() {
        return width;
    }

    /** Pixels per channel. */
    public int plane() {
        return height * width;
    }

    /** Floats of one image. */
    public int size() {
        return channels * height * width;
    }

    /** The block (concatenation group) whose buffer holds this value, or -1 if it has a buffer of its own. */
    public int group() {
        return group;
    }

    /** The first channel of this value in its buffer (0 unless in a block). */
    public int channelOffset() {
        return channelOffset;
    }

    /** Index of its forward buffer in {@link GraphPlan#dataSizes()}. */
    public int dataBuffer() {
        return dataBuffer;
    }

    /** Index of its gradient buffer in {@link GraphPlan#gradSizes()}. */
    public int gradBuffer() {
        return gradBuffer;
    }

    /** Floats from one image to the next in its buffers. */
    public long imageStride() {
        return imageStride;
    }

    /** Whether its forward data must live until the end of the backward pass (read there, or observed). */
    public boolean kept() {
        return kept;
    }

    /** True if its images are contiguous, one after the other ({@code [N, size]}). */
    public boolean packed() {
        return imageStride == size();
    }

    @Override
    public String toString() {
        return name + "[" + channels + "x" + height + "x" + width + "]";
    }
}
