package dev.backlight.cuda;

import static jcuda.driver.JCudaDriver.cuLaunchKernel;
import static jcuda.driver.JCudaDriver.cuMemcpyDtoH;
import static jcuda.driver.JCudaDriver.cuMemcpyHtoD;
import static jcuda.driver.JCudaDriver.cuMemsetD32Async;
import static jcuda.driver.JCudaDriver.cuStreamCreate;
import static jcuda.driver.JCudaDriver.cuStreamDestroy;
import static jcuda.driver.JCudaDriver.cuStreamSynchronize;

import dev.backlight.api.internal.Failures;
import jcuda.Pointer;
import jcuda.driver.CUfunction;
import jcuda.driver.CUstream;
import jcuda.jcublas.JCublas2;
import jcuda.jcublas.cublasHandle;
import jcuda.jcublas.cublasMath;
import jcuda.jcublas.cublasOperation;
import jcuda.jcudnn.JCudnn;
import jcuda.jcudnn.cudnnHandle;
import jcuda.runtime.cudaStream_t;

/**
 * One model's session on the GPU: its stream (blocking with respect to the legacy default stream,
 * so the synchronous host copies are ordered with it), its cuDNN and cuBLAS handles bound to that
 * stream, its convolutions ({@link CudnnConvolutions}, run by a {@link ConvolutionRunner} with
 * algorithms from the backend's shared {@link AlgorithmCache}), and the kernel launches. See
 * {@link Device} for the operations' meaning.
 */
final class CudaDevice implements Device {
    /** Threads per block of our grid-stride kernels. */
    private static final int THREADS = 256;
    /** At most this many blocks; the kernels loop over the rest. */
    private static final int MAX_BLOCKS = 65_535;

    private final CudaContext context;
    private final CUstream stream = new CUstream();
    private final cudnnHandle cudnn = new cudnnHandle();
    private final cublasHandle cublas = new cublasHandle();
    private final CudnnConvolutions cudnnConvolutions;
    private final ConvolutionRunner convolutions;
    /** Kernels whose argument kinds were checked against {@link #KERNEL_SIGNATURES}. */
    private final java.util.Set<String> checkedKernels = new java.util.HashSet<>();
    private boolean closed;

    CudaDevice(CudaContext context) {
        this.context = context;
        CudaStatus.driver(cuStreamCreate(stream, 0), "cuStreamCreate");
        boolean cudnnCreated = false;
        boolean cublasCreated = false;
        try {
            CudaStatus.cudnn(JCudnn.cudnnCreate(cudnn), "cudnnCreate");
            cudnnCreated = true;
            CudaStatus.cudnn(JCudnn.cudnnSetStream(cudnn, new cudaStream_t(stream)), "cudnnSetStream");
            CudaStatus.cublas(JCublas2.cublasCreate(cublas), "cublasCreate");
            cublasCreated = true;
            CudaStatus.cublas(JCublas2.cublasSetStream(cublas, new cudaStream_t(stream)), "cublasSetStream");
            int mathMode = context.settings().math() == MathMode.TF32 ? cublasMath.CUBLAS_TF32_TENSOR_OP_MATH : cublasMath.CUBLAS_DEFAULT_MATH;
            CudaStatus.cublas(JCublas2.cublasSetMathMode(cublas, mathMode), "cublasSetMathMode");
        } catch (RuntimeException e) {
            if (cublasCreated) {
                JCublas2.cublasDestroy(cublas);
            }
            if (cudnnCreated) {
                JCudnn.cudnnDestroy(cudnn);
            }
            cuStreamDestroy(stream);
            throw e;
        }
        this.cudnnConvolutions = new CudnnConvolutions(cudnn, context.settings().math());
        this.convolutions = new ConvolutionRunner(cudnnConvolutions, context.algorithms(), context.settings(), this);
    }

    @Override
    public MemoryLedger ledger() {
        return context.ledger();
    }

    @Override
    public long freeBytes() {
        return context.freeBytes();
    }

    /** cuDNN's tensor descriptors count elements in 32-bit integers. */
    @Override
    public long maxTensorElements() {
        return Integer.MAX_VALUE;
    }

    @Override
    public long allocate(long bytes, String label) {
        return context.allocate(bytes, label);
    }

    @Override
    public void free(long address) {
        synchronize(); // nothing queued may still use it
        context.free(address);
    }

    @Override
    public void upload(float[] source, int offset, int count, long address) {
        context.makeCurrent();
        CudaStatus.driver(cuMemcpyHtoD(CudaContext.at(address), Pointer.to(source).withByteOffset(4L * offset), 4L * count),
                "cuMemcpyHtoD(" + count + " floats)");
    }

    @Override
    public void download(long address, float[] target, int offset, int count) {
        synchronize();
        CudaStatus.driver(cuMemcpyDtoH(Pointer.to(target).withByteOffset(4L * offset), CudaContext.at(address), 4L * count),
                "cuMemcpyDtoH(" + count + " floats)");
    }

    @Override
    public void zero(long address, long floats) {
        context.makeCurrent();
        CudaStatus.driver(cuMemsetD32Async(CudaContext.at(address), 0, floats, stream), "cuMemsetD32Async(" + floats + " floats)");
    }

    @Override
    public void convForward(Conv conv, long weight, View x, View y, int batch) {
        context.makeCurrent();
        convolutions.forward(conv, weight, x, y, batch);
    }

    @Override
    public void convBackwardData(Conv conv, long weight, View dy, View dx, int batch) {
        context.makeCurrent();
        convolutions.backwardData(conv, weight, dy, dx, batch);
    }

    @Override
    public void addChannelBias(long bias, View y, int batch) {
        context.makeCurrent();
        cudnnConvolutions.addChannelBias(bias, y, batch, 1f);
    }

    @Override
    public void batchNormRelu(View x, View y, long scale, long shift, boolean relu, int batch) {
        launch("bn_relu_forward", (long) batch * x.channels() * x.plane(),
                ptr(x.address()), i64(x.imageStride()), ptr(y.address()), i64(y.imageStride()), ptr(scale), ptr(shift),
                i32(x.channels()), i32(x.plane()), i32(batch), i32(relu ? 1 : 0));
    }

    @Override
    public void batchNormReluBackward(View x, View dy, View dx, long scale, long shift, boolean relu, int rule, int batch) {
        launch("bn_relu_backward", (long) batch * x.channels() * x.plane(),
                ptr(x.address()), i64(x.imageStride()), ptr(dy.address()), i64(dy.imageStride()), ptr(dx.address()), i64(dx.imageStride()),
                ptr(scale), ptr(shift), i32(x.channels()), i32(x.plane()), i32(batch), i32(relu ? 1 : 0), i32(rule));
    }

    @Override
    public void maxPool(Pool pool, View x, View y, long argmax, int batch) {
        launch("maxpool_forward", (long) batch * y.channels() * y.plane(),
                ptr(x.address()), i64(x.imageStride()), ptr(y.address()), i64(y.imageStride()), ptr(argmax),
                i32(x.channels()), i32(x.height()), i32(x.width()), i32(y.height()), i32(y.width()),
                i32(pool.kernel()), i32(pool.stride()), i32(pool.padding()), i32(batch));
    }

    @Override
    public void maxPoolBackward(Pool pool, View dy, long argmax, View dx, int batch) {
        launch("maxpool_backward", (long) batch * dx.channels() * dx.plane(),
                ptr(dy.address()), i64(dy.imageStride()), ptr(argmax), ptr(dx.address()), i64(dx.imageStride()),
                i32(dx.channels()), i32(dx.height()), i32(dx.width()), i32(dy.height()), i32(dy.width()),
                i32(pool.kernel()), i32(pool.stride()), i32(pool.padding()), i32(batch));
    }

    @Override
    public void avgPool(Pool pool, View x, View y, int batch) {
        launch("avgpool_forward", (long) batch * y.channels() * y.plane(),
                ptr(x.address()), i64(x.imageStride()), ptr(y.address()), i64(y.imageStride()),
                i32(x.channels()), i32(x.height()), i32(x.width()), i32(y.height()), i32(y.width()),
                i32(pool.kernel()), i32(pool.stride()), i32(pool.padding()), i32(batch));
    }

    @Override
    public void avgPoolBackward(Pool pool, View dy, View dx, int batch) {
        launch("avgpool_backward", (long) batch * dx.channels() * dx.plane(),
                ptr(dy.address()), i64(dy.imageStride()), ptr(dx.address()), i64(dx.imageStride()),
                i32(dx.channels()), i32(dx.height()), i32(dx.width()), i32(dy.height()), i32(dy.width()),
                i32(pool.kernel()), i32(pool.stride()), i32(pool.padding()), i32(batch));
    }

    @Override
    public void globalAvgPool(View x, long y, int batch) {
        launch("global_avgpool_forward", (long) batch * x.channels(),
                ptr(x.address()), i64(x.imageStride()), ptr(y), i32(x.channels()), i32(x.plane()), i32(batch));
    }

    @Override
    public void globalAvgPoolBackward(long dy, View dx, int batch) {
        launch("global_avgpool_backward", (long) batch * dx.channels() * dx.plane(),
                ptr(dy), ptr(dx.address()), i64(dx.imageStride()), i32(dx.channels()), i32(dx.plane()), i32(batch));
    }

    @Override
    public void linear(long x, long weight, long bias, long y, int in, int out, int batch) {
        context.makeCurrent();
        float beta = 0f;
        if (bias != 0) {
            // y = broadcast bias, then y += W·x: cudnnAddTensor with beta 0 writes the bias rows.
            cudnnConvolutions.addChannelBias(bias, new View(y, out, 1, 1, out), batch, 0f);
            beta = 1f;
        }
        // One product per image: cuBLAS picks its SGEMM kernel (and summation order) by the shape,
        // so a product over the whole batch would round an image's logits differently at different
        // batch sizes. Row-major y[n][out] is column-major yᵀ (out × 1) = W (out × in) · xᵀ (in × 1);
        // row-major W[out][in] read column-major is Wᵀ, hence OP_T.
        for (int n = 0; n < batch; n++) {
            CudaStatus.cublas(JCublas2.cublasSgemm(cublas, cublasOperation.CUBLAS_OP_T, cublasOperation.CUBLAS_OP_N, out, 1, in,
                    Pointer.to(new float[] {1f}), CudaContext.at(weight), in, CudaContext.at(x + 4L * n * in), in,
                    Pointer.to(new float[] {beta}), CudaContext.at(y + 4L * n * out), out),
                    "cublasSgemm(classifier " + out + "x" + in + ", image " + n + " of " + batch + ")");
        }
    }

    @Override
    public void linearBackwardData(long dy, long weight, long dx, int in, int out, int batch) {
        context.makeCurrent();
        // Column-major dxᵀ (in × 1) += Wᵀ (in × out, row-major W read as is) · dyᵀ (out × 1), one image at a time as above.
        for (int n = 0; n < batch; n++) {
            CudaStatus.cublas(JCublas2.cublasSgemm(cublas, cublasOperation.CUBLAS_OP_N, cublasOperation.CUBLAS_OP_N, in, 1, out,
                    Pointer.to(new float[] {1f}), CudaContext.at(weight), in, CudaContext.at(dy + 4L * n * out), out,
                    Pointer.to(new float[] {1f}), CudaContext.at(dx + 4L * n * in), in),
                    "cublasSgemm(classifier backward " + in + "x" + out + ", image " + n + " of " + batch + ")");
        }
    }

    @Override
    public void sliceAdd(View src, View dst, int batch) {
        launch("slice_add", (long) batch * src.channels() * src.plane(),
                ptr(src.address()), i64(src.imageStride()), ptr(dst.address()), i64(dst.imageStride()),
                i32(src.channels()), i32(src.plane()), i32(batch));
    }

    @Override
    public void synchronize() {
        context.makeCurrent();
        CudaStatus.driver(cuStreamSynchronize(stream), "cuStreamSynchronize");
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        RuntimeException first = null;
        try {
            synchronize();
        } catch (RuntimeException e) {
            first = e;
        }
        try {
            convolutions.close();
        } catch (RuntimeException e) {
            first = Failures.add(first, e);
        }
        int cublasStatus = JCublas2.cublasDestroy(cublas);
        int cudnnStatus = JCudnn.cudnnDestroy(cudnn);
        int streamStatus = cuStreamDestroy(stream);
        try {
            CudaStatus.cublas(cublasStatus, "cublasDestroy");
            CudaStatus.cudnn(cudnnStatus, "cudnnDestroy");
            CudaStatus.driver(streamStatus, "cuStreamDestroy");
        } catch (RuntimeException e) {
            first = Failures.add(first, e);
        }
        if (first != null) {
            throw first;
        }
    }

    // ---- kernel launches ----

    /**
     * The parameter kinds of each kernel in {@code backlight_kernels.cu}: {@code p} a pointer,
     * {@code q} a {@code long long}, {@code i} an {@code int}. A launch whose arguments differ
     * throws instead of handing the GPU misread values; a test checks this table against the source.
     */
    static final java.util.Map<String, String> KERNEL_SIGNATURES = java.util.Map.of(
            "bn_relu_forward", "pqpqppiiii",
            "bn_relu_backward", "pqpqpqppiiiii",
            "maxpool_forward", "pqpqpiiiiiiiii",
            "maxpool_backward", "pqppqiiiiiiiii",
            "avgpool_forward", "pqpqiiiiiiiii",
            "avgpool_backward", "pqpqiiiiiiiii",
            "global_avgpool_forward", "pqpiii",
            "global_avgpool_backward", "ppqiii",
            "slice_add", "pqpqiii");

    /** One kernel argument and its kind (see {@link #KERNEL_SIGNATURES}). */
    private record KernelArg(char kind, Pointer value) {
    }

    private void launch(String kernel, long elements, KernelArg... arguments) {
        Pointer[] values = new Pointer[arguments.length];
        for (int i = 0; i < arguments.length; i++) {
            values[i] = arguments[i].value();
        }
        // Each kernel is launched from one place, so checking its first launch checks them all.
        if (checkedKernels.add(kernel)) {
            StringBuilder kinds = new StringBuilder();
            for (KernelArg a : arguments) {
                kinds.append(a.kind());
            }
            if (!kinds.toString().equals(KERNEL_SIGNATURES.get(kernel))) {
                checkedKernels.remove(kernel);
                throw new IllegalStateException("kernel " + kernel + " takes (" + KERNEL_SIGNATURES.get(kernel) + ") but was given (" + kinds + ")");
            }
        }
        if (elements == 0) {
            return;
        }
        context.makeCurrent();
        CUfunction f = context.function(kernel);
        int blocks = (int) Math.min(MAX_BLOCKS, (elements + THREADS - 1) / THREADS);
        CudaStatus.driver(cuLaunchKernel(f, blocks, 1, 1, THREADS, 1, 1, 0, stream, Pointer.to(values), null),
                "launching " + kernel + " over " + elements + " elements");
    }

    /** A pointer-typed kernel argument: the device address as a 64-bit value. */
    private static KernelArg ptr(long address) {
        return new KernelArg('p', Pointer.to(new long[] {address}));
    }

    private static KernelArg i64(long value) {
        return new KernelArg('q', Pointer.to(new long[] {value}));
    }

    private static KernelArg i32(int value) {
        return new KernelArg('i', Pointer.to(new int[] {value}));
    }
}
