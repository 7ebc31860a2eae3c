package dev.backlight;

/**
 * How many 224×224 images run through the network together when the application does not say.
 *
 * <p>On the CPU the activations, masks and gradients of a batch live on the Java heap, beside what
 * does not depend on the batch: the weights as loaded, the compiled model (about twice the weights:
 * its own copies in the layouts it computes with) and, while images are read, the decoding of one
 * photo. So the batch is what fits in the heap left after {@value #CPU_MODEL_RESERVE_MIB} MiB for
 * the model and {@value #DECODE_RESERVE_MIB} MiB for decoding, at {@value #CPU_BYTES_PER_IMAGE_MIB}
 * MiB per image, at least 1 and at most {@value #CPU_MAX}: larger batches do not run faster on a
 * CPU, they only hold more memory.
 *
 * <p>Measured on DenseNet-121, -201 and -161 with heap in use after collection, and at its peak
 * (batch 1, 2, 4): the weights take 33, 81 and 118 MiB, the rest of the fixed cost about twice as
 * much (66, 159 and 263 MiB), each image 58, 61–65 and 83 MiB held between the passes, up to
 * 100 MiB at the peak. The reserve is DenseNet-161's, the largest built-in model; the per-image
 * figure keeps the earlier, generous bound. Decoding takes about 20 bytes a pixel at its peak
 * (measured on a 24-megapixel PNG and JPEG), so the reserve is a 12-megapixel photo; larger ones
 * are refused or read under the free heap by the command line. A GPU backend keeps its buffers in
 * device memory, so the heap does not bound it; it gets {@value #GPU_DEFAULT}.
 */
final class BatchSizing {
    /** Heap bytes per image of a DenseNet at 224×224 on the CPU backend, rounded up generously. */
    static final int CPU_BYTES_PER_IMAGE_MIB = 160;
    /** Heap for the weights and the compiled model: DenseNet-161's 118 + 263 MiB, rounded up. */
    static final int CPU_MODEL_RESERVE_MIB = 400;
    /** Heap for decoding one photo while a batch is held: 12.8 megapixels at 20 bytes a pixel. */
    static final int DECODE_RESERVE_MIB = 256;
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
        long left = maxHeapBytes - ((long) (CPU_MODEL_RESERVE_MIB + DECODE_RESERVE_MIB) << 20);
        long fits = left / ((long) CPU_BYTES_PER_IMAGE_MIB << 20);
        return (int) Math.max(1, Math.min(CPU_MAX, fits));
    }
}
