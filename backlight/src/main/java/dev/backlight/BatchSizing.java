package dev.backlight;

/**
 * How many 224×224 images run through the network together.
 *
 * <p>On the CPU the activations, masks and gradients of a batch live on the Java heap: DenseNet-201
 * keeps roughly {@value #CPU_BYTES_PER_IMAGE_MIB} MiB per image between its forward and backward
 * passes (a generous bound of its feature buffers, recomputed masks and gradient buffers), so the
 * batch is what fits in half of the maximum heap, at most {@value #CPU_MAX}: larger batches do not
 * run faster on a CPU, they only hold more memory. A GPU backend keeps its buffers in device
 * memory, so the heap does not bound it; it gets {@value #GPU_DEFAULT}.
 */
final class BatchSizing {
    /** Heap bytes per image of DenseNet-201 at 224×224 on the CPU backend, rounded up generously. */
    static final int CPU_BYTES_PER_IMAGE_MIB = 160;
    /** The largest automatic CPU batch. */
    static final int CPU_MAX = 16;
    /** The automatic batch of a GPU backend. */
    static final int GPU_DEFAULT = 32;

    private BatchSizing() {
    }

    /** The batch size for {@code backend} (its name) with a maximum heap of {@code maxHeapBytes}. */
    static int automatic(String backend, long maxHeapBytes) {
        if (!backend.equals("cpu")) {
            return GPU_DEFAULT;
        }
        long fits = maxHeapBytes / 2 / ((long) CPU_BYTES_PER_IMAGE_MIB << 20);
        return (int) Math.max(1, Math.min(CPU_MAX, fits));
    }
}
