package dev.backlight.cuda;

/**
 * The operations the CUDA backend's models run on a device, in device terms: float32 NCHW
 * buffers addressed by byte address, channel slices described by {@link View}. One instance
 * serves one compiled model: it owns that model's stream, library handles, descriptor caches and
 * workspace. {@link CudaDevice} runs them with cuDNN, cuBLAS and our kernels; the tests also run
 * the models on a host simulation of the same contract, so the planner and the call sequence are
 * checked on machines without a GPU.
 *
 * <p>Every operation is queued on the model's stream in call order; only {@link #download} and
 * {@link #synchronize} wait. Backward operations <em>accumulate</em> into their output
 * ({@code dx += ...}), because in a dense block several consumers add into one gradient.
 * Not thread-safe: its model calls it from one thread at a time.
 */
interface Device extends AutoCloseable {

    /**
     * A channel slice of a buffer: image n, channel c, pixel p of the slice is the float at byte
     * address {@code address + 4 * (n * imageStride + c * height * width + p)}.
     *
     * @param address byte address of image 0, channel 0 of the slice
     * @param imageStride floats from one image to the next (the whole buffer's channels × plane)
     */
    record View(long address, int channels, int height, int width, long imageStride) {
        int plane() {
            return height * width;
        }
    }

    /** A 2-d convolution's geometry (cross-correlation, no dilation, one group). */
    record Conv(int inChannels, int outChannels, int kernelH, int kernelW, int stride, int padding) {
    }

    /** A square pooling window. */
    record Pool(int kernel, int stride, int padding) {
    }

    /** The ledger of this device's memory (shared by every model of one backend). */
    MemoryLedger ledger();

    /** Bytes of device memory free now, as the driver reports it. */
    long freeBytes();

    /**
     * The most elements one tensor may span ({@code batch × imageStride}): cuDNN's descriptors
     * count in 32-bit integers, so a batch is split before any of its tensors would pass 2³¹ − 1.
     */
    long maxTensorElements();

    /**
     * Allocates {@code bytes} of device memory, recorded in the ledger under {@code label}.
     *
     * @throws DeviceOutOfMemoryException if the device has not enough free memory
     */
    long allocate(long bytes, String label);

    /** Frees an allocation of {@link #allocate}, after the work queued before it has finished. */
    void free(long address);

    /** Copies {@code count} floats from host to device. */
    void upload(float[] source, int offset, int count, long address);

    /** Copies {@code count} floats from device to host, waiting for the queued work first. */
    void download(long address, float[] target, int offset, int count);

    /** Sets {@code floats} floats to zero. */
    void zero(long address, long floats);

    /** {@code y = conv(x, weight)} for {@code batch} images (y's slice is overwritten). */
    void convForward(Conv conv, long weight, View x, View y, int batch);

    /** {@code dx += convᵀ(dy, weight)}: the convolution's input gradient, accumulated. */
    void convBackwardData(Conv conv, long weight, View dy, View dx, int batch);

    /** {@code y[n, c, :] += bias[c]}. */
    void addChannelBias(long bias, View y, int batch);

    /**
     * {@code y = a·x + b} per channel, followed by a ReLU when {@code relu} (the eval-mode batch
     * norm, fused with its ReLU). A plain ReLU is {@code a = 1, b = 0}.
     */
    void batchNormRelu(View x, View y, long scale, long shift, boolean relu, int batch);

    /**
     * {@code dx += a · rule(a·x + b, dy)} per channel (just {@code dx += a · dy} without
     * {@code relu}): the fused ReLU-rule and batch-norm backward, recomputing the ReLU's input
     * from the batch norm's input {@code x}.
     *
     * @param rule 0 vanilla, 1 deconvnet, 2 guided (the kernels' {@code RULE_*})
     */
    void batchNormReluBackward(View x, View dy, View dx, long scale, long shift, boolean relu, int rule, int batch);

    /** Max pooling; {@code argmax} receives each output's in-plane input index (first maximum). */
    void maxPool(Pool pool, View x, View y, long argmax, int batch);

    /** {@code dx += } max pooling's input gradient, from the recorded {@code argmax}. */
    void maxPoolBackward(Pool pool, View dy, long argmax, View dx, int batch);

    /** Average pooling, padding counted in the divisor. */
    void avgPool(Pool pool, View x, View y, int batch);

    /** {@code dx += } average pooling's input gradient. */
    void avgPoolBackward(Pool pool, View dy, View dx, int batch);

    /** Global average pooling of each channel into {@code y}, a packed {@code [batch, channels]}. */
    void globalAvgPool(View x, long y, int batch);

    /** {@code dx[n, c, :] += dy[n, c] / plane}. */
    void globalAvgPoolBackward(long dy, View dx, int batch);

    /**
     * The classifier: {@code y[n, :] = W · x[n, :] + bias} with {@code W} row-major
     * {@code [out, in]}, {@code x} packed {@code [batch, in]}, {@code y} packed {@code [batch, out]};
     * {@code bias} may be 0 (none).
     */
    void linear(long x, long weight, long bias, long y, int in, int out, int batch);

    /** {@code dx[n, :] += Wᵀ · dy[n, :]}. */
    void linearBackwardData(long dy, long weight, long dx, int in, int out, int batch);

    /** {@code dst += src} over two slices of the same geometry. */
    void sliceAdd(View src, View dst, int batch);

    /** Waits until every queued operation has finished. */
    void synchronize();

    /** Frees this model's stream, handles, caches and workspace (not the model's buffers). */
    @Override
    void close();
}
