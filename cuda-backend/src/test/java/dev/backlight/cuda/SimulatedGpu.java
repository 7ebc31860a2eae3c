package dev.backlight.cuda;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import jcuda.jcudnn.cudnnConvolutionBwdDataAlgo;
import jcuda.jcudnn.cudnnConvolutionFwdAlgo;
import jcuda.jcudnn.cudnnDeterminism;
import jcuda.jcudnn.cudnnMathType;

/**
 * A host simulation of the {@link Device} contract, for testing the CUDA backend's planner and
 * call sequence where no GPU is usable. Each operation is computed straight from its definition,
 * every kernel's float arithmetic is written as the CUDA source writes it, and matrix products
 * accumulate in double. Memory is checked: every access must lie inside one live allocation, new
 * allocations are filled with NaN so that reading what nothing wrote shows up in the results, and
 * an optional limit makes allocations fail like a full device.
 *
 * <p>Convolutions run through the backend's own {@link ConvolutionRunner} and
 * {@link AlgorithmCache}, against a simulated cuDNN ({@link SimulatedCudnn}) that behaves as the
 * real one does where it matters for the results:
 * <ul>
 *   <li>its candidate list depends on the batch it is asked about (cuDNN's timings and heuristics
 *       do), in an order that is a fixed pseudo-random function of geometry and batch;
 *   <li>each algorithm sums in float in its own order (so different algorithms give different
 *       bits, and a batch-keyed choice would show as batch-dependent results), FFT and Winograd
 *       algorithms and TF32 math round their operands to TF32, and backward-data algorithm 0
 *       sums in a new order on every call, as atomics do;
 *   <li>its heuristics under-report the workspace of the GEMM algorithm, and every run checks
 *       that the workspace it is given is as large as the algorithm needs;
 *   <li>FFT algorithms refuse strided (channel-slice) tensors, tests can make any algorithm be
 *       refused or every candidate report tensor-op math, and a tensor spanning more than
 *       {@link #maxTensorElements} elements is an error as in {@code cudnnSetTensor4dDescriptorEx}.
 * </ul>
 *
 * <p>What it cannot check: the JCuda calls themselves, cuDNN's real algorithms and their
 * rounding, launch configurations. Those need the GPU run (cuda-backend/gpu-check).
 */
final class SimulatedGpu implements DeviceSource {
    private final MemoryLedger ledger = new MemoryLedger();
    private final TreeMap<Long, float[]> memory = new TreeMap<>();
    private final long limitBytes;
    private final CudaSettings settings;
    private final AlgorithmCache algorithms;
    private long nextAddress = 1L << 32;
    int devicesOpen;
    int allocationFailures;
    /** Convolutions on more images than this fail with out-of-memory (a workspace that does not fit). */
    int failConvolutionsAboveBatch = Integer.MAX_VALUE;
    int convolutionFailures;
    /** Runs inside every forward convolution, for tests that call back into a model mid-pass. */
    Runnable duringConvolution = () -> { };
    /** The most elements one cuDNN tensor may span. */
    long maxTensorElements = Integer.MAX_VALUE;
    /** Algorithms the simulated cuDNN refuses where they run (NOT_SUPPORTED), per pass. */
    final Set<Integer> refusedForward = new HashSet<>();
    final Set<Integer> refusedBackwardData = new HashSet<>();
    /** If set, the math type every candidate reports (as if cuDNN offered nothing in FMA math). */
    Integer reportedMath;
    /** How often the simulated cuDNN was asked for candidates, measured and by heuristics. */
    int measuredSearches;
    int heuristicSearches;
    /** The algorithms that ran, per pass (forward, backward-data), with how many calls. */
    final Map<String, Integer> ran = new TreeMap<>();

    SimulatedGpu(long limitBytes) {
        this(limitBytes, CudaSettings.DEFAULTS);
    }

    SimulatedGpu(long limitBytes, CudaSettings settings) {
        this(limitBytes, settings, new AlgorithmCache());
    }

    SimulatedGpu(long limitBytes, CudaSettings settings, AlgorithmCache algorithms) {
        this.limitBytes = limitBytes;
        this.settings = settings;
        this.algorithms = algorithms;
    }

    @Override
    public Device open() {
        devicesOpen++;
        return new SimulatedDevice();
    }

    @Override
    public MemoryLedger ledger() {
        return ledger;
    }

    @Override
    public AlgorithmCache algorithms() {
        return algorithms;
    }

    @Override
    public String describe() {
        return "simulated GPU (host arithmetic), limit " + MemoryLedger.mib(limitBytes) + ", " + settings.describe();
    }

    @Override
    public void freeLeaked(long address) {
        memory.remove(address);
    }

    @Override
    public void close() {
    }

    /** A float at a device address: the array of its allocation and the index in it. */
    private record Location(float[] array, int index) {
    }

    private Location at(long address, long floats) {
        Map.Entry<Long, float[]> e = memory.floorEntry(address);
        if (e == null || (address - e.getKey()) % 4 != 0) {
            throw new IllegalStateException("address 0x" + Long.toHexString(address) + " is not inside an allocation");
        }
        long index = (address - e.getKey()) / 4;
        if (index + floats > e.getValue().length) {
            throw new IllegalStateException("access of " + floats + " floats at 0x" + Long.toHexString(address)
                    + " runs past its allocation of " + e.getValue().length + " floats");
        }
        return new Location(e.getValue(), (int) index);
    }

    /** The extent of a view for {@code batch} images, in floats from its address. */
    private static long extent(Device.View v, int batch) {
        return (batch - 1) * v.imageStride() + (long) v.channels() * v.plane();
    }

    private final class SimulatedDevice implements Device {
        private final ConvolutionRunner convolutions = new ConvolutionRunner(new SimulatedCudnn(), algorithms, settings, this);
        private boolean closed;

        @Override
        public long maxTensorElements() {
            return maxTensorElements;
        }

        @Override
        public MemoryLedger ledger() {
            return ledger;
        }

        @Override
        public long freeBytes() {
            return limitBytes - ledger.heldBytes();
        }

        @Override
        public long allocate(long bytes, String label) {
            if (ledger.heldBytes() + bytes > limitBytes) {
                allocationFailures++;
                throw new DeviceOutOfMemoryException("simulated device out of memory: " + label + " needs " + bytes
                        + " bytes, " + ledger.heldBytes() + " held of " + limitBytes, bytes);
            }
            long address = nextAddress;
            nextAddress += ((bytes + 255) / 256 * 256) + (1L << 20);
            float[] block = new float[(int) ((bytes + 3) / 4)];
            Arrays.fill(block, Float.NaN);
            memory.put(address, block);
            ledger.recordAllocation(address, bytes, label);
            return address;
        }

        @Override
        public void free(long address) {
            ledger.recordFree(address);
            memory.remove(address);
        }

        @Override
        public void upload(float[] source, int offset, int count, long address) {
            Location l = at(address, count);
            System.arraycopy(source, offset, l.array, l.index, count);
        }

        @Override
        public void download(long address, float[] target, int offset, int count) {
            Location l = at(address, count);
            System.arraycopy(l.array, l.index, target, offset, count);
        }

        @Override
        public void zero(long address, long floats) {
            Location l = at(address, floats);
            Arrays.fill(l.array, l.index, (int) (l.index + floats), 0f);
        }

        private float[] floats(long address, int count) {
            Location l = at(address, count);
            return Arrays.copyOfRange(l.array, l.index, l.index + count);
        }

        /** Index of element (n, c, p) of a view in its allocation's array. */
        private int index(Location base, Device.View v, int n, int c, int p) {
            return (int) (base.index + n * v.imageStride() + (long) c * v.plane() + p);
        }

        @Override
        public void convForward(Conv c, long weight, View x, View y, int batch) {
            if (batch > failConvolutionsAboveBatch) {
                convolutionFailures++;
                throw new DeviceOutOfMemoryException("simulated: no room for the workspace of " + c + " at batch " + batch, 1L << 30);
            }
            duringConvolution.run();
            int oh = (x.height() + 2 * c.padding() - c.kernelH()) / c.stride() + 1;
            int ow = (x.width() + 2 * c.padding() - c.kernelW()) / c.stride() + 1;
            if (x.channels() != c.inChannels() || y.channels() != c.outChannels() || y.height() != oh || y.width() != ow) {
                throw new IllegalStateException("convolution " + c + " does not fit " + x + " -> " + y);
            }
            convolutions.forward(c, weight, x, y, batch);
        }

        @Override
        public void convBackwardData(Conv c, long weight, View dy, View dx, int batch) {
            convolutions.backwardData(c, weight, dy, dx, batch);
        }

        @Override
        public void addChannelBias(long bias, View y, int batch) {
            checkDescriptor(y, batch);
            float[] b = floats(bias, y.channels());
            Location ys = at(y.address(), extent(y, batch));
            for (int n = 0; n < batch; n++) {
                for (int c = 0; c < y.channels(); c++) {
                    for (int p = 0; p < y.plane(); p++) {
                        ys.array[index(ys, y, n, c, p)] += b[c];
                    }
                }
            }
        }

        @Override
        public void batchNormRelu(View x, View y, long scale, long shift, boolean relu, int batch) {
            float[] a = floats(scale, x.channels());
            float[] b = floats(shift, x.channels());
            Location xs = at(x.address(), extent(x, batch));
            Location ys = at(y.address(), extent(y, batch));
            for (int n = 0; n < batch; n++) {
                for (int c = 0; c < x.channels(); c++) {
                    for (int p = 0; p < x.plane(); p++) {
                        float v = a[c] * xs.array[index(xs, x, n, c, p)] + b[c]; // two roundings, as __fadd_rn(__fmul_rn(..))
                        ys.array[index(ys, y, n, c, p)] = relu && !(v > 0f) ? 0f : v;
                    }
                }
            }
        }

        @Override
        public void batchNormReluBackward(View x, View dy, View dx, long scale, long shift, boolean relu, int rule, int batch) {
            float[] a = floats(scale, x.channels());
            float[] b = floats(shift, x.channels());
            Location xs = at(x.address(), extent(x, batch));
            Location gs = at(dy.address(), extent(dy, batch));
            Location ds = at(dx.address(), extent(dx, batch));
            for (int n = 0; n < batch; n++) {
                for (int c = 0; c < x.channels(); c++) {
                    for (int p = 0; p < x.plane(); p++) {
                        float g = gs.array[index(gs, dy, n, c, p)];
                        float d = g;
                        if (relu) {
                            float v = a[c] * xs.array[index(xs, x, n, c, p)] + b[c];
                            d = switch (rule) {
                                case 0 -> v > 0f ? g : 0f;
                                case 1 -> g > 0f ? g : 0f;
                                case 2 -> v > 0f && g > 0f ? g : 0f;
                                default -> throw new IllegalArgumentException("rule " + rule);
                            };
                        }
                        ds.array[index(ds, dx, n, c, p)] += a[c] * d;
                    }
                }
            }
        }

        @Override
        public void maxPool(Pool pool, View x, View y, long argmax, int batch) {
            Location xs = at(x.address(), extent(x, batch));
            Location ys = at(y.address(), extent(y, batch));
            Location as = at(argmax, (long) batch * y.channels() * y.plane());
            for (int n = 0; n < batch; n++) {
                for (int c = 0; c < x.channels(); c++) {
                    for (int oy = 0; oy < y.height(); oy++) {
                        for (int ox = 0; ox < y.width(); ox++) {
                            float best = 0f;
                            int arg = -1;
                            for (int ky = 0; ky < pool.kernel(); ky++) {
                                int iy = oy * pool.stride() - pool.padding() + ky;
                                for (int kx = 0; kx < pool.kernel() && iy >= 0 && iy < x.height(); kx++) {
                                    int ix = ox * pool.stride() - pool.padding() + kx;
                                    if (ix < 0 || ix >= x.width()) {
                                        continue;
                                    }
                                    float v = xs.array[index(xs, x, n, c, iy * x.width() + ix)];
                                    if (arg < 0 || v > best) {
                                        best = v;
                                        arg = iy * x.width() + ix;
                                    }
                                }
                            }
                            int o = oy * y.width() + ox;
                            ys.array[index(ys, y, n, c, o)] = best;
                            as.array[as.index + (n * y.channels() + c) * y.plane() + o] = Float.intBitsToFloat(arg);
                        }
                    }
                }
            }
        }

        @Override
        public void maxPoolBackward(Pool pool, View dy, long argmax, View dx, int batch) {
            Location gs = at(dy.address(), extent(dy, batch));
            Location as = at(argmax, (long) batch * dy.channels() * dy.plane());
            Location ds = at(dx.address(), extent(dx, batch));
            for (int n = 0; n < batch; n++) {
                for (int c = 0; c < dx.channels(); c++) {
                    float[] sums = new float[dx.plane()];
                    // Row-major output order, as the gather kernel sums.
                    for (int o = 0; o < dy.plane(); o++) {
                        int arg = Float.floatToRawIntBits(as.array[as.index + (n * dy.channels() + c) * dy.plane() + o]);
                        sums[arg] += gs.array[index(gs, dy, n, c, o)];
                    }
                    for (int p = 0; p < dx.plane(); p++) {
                        ds.array[index(ds, dx, n, c, p)] += sums[p];
                    }
                }
            }
        }

        @Override
        public void avgPool(Pool pool, View x, View y, int batch) {
            Location xs = at(x.address(), extent(x, batch));
            Location ys = at(y.address(), extent(y, batch));
            int k = pool.kernel();
            for (int n = 0; n < batch; n++) {
                for (int c = 0; c < x.channels(); c++) {
                    for (int oy = 0; oy < y.height(); oy++) {
                        for (int ox = 0; ox < y.width(); ox++) {
                            float sum = 0f;
                            for (int ky = 0; ky < k; ky++) {
                                int iy = oy * pool.stride() - pool.padding() + ky;
                                for (int kx = 0; kx < k && iy >= 0 && iy < x.height(); kx++) {
                                    int ix = ox * pool.stride() - pool.padding() + kx;
                                    if (ix >= 0 && ix < x.width()) {
                                        sum += xs.array[index(xs, x, n, c, iy * x.width() + ix)];
                                    }
                                }
                            }
                            ys.array[index(ys, y, n, c, oy * y.width() + ox)] = sum / (float) (k * k);
                        }
                    }
                }
            }
        }

        @Override
        public void avgPoolBackward(Pool pool, View dy, View dx, int batch) {
            Location gs = at(dy.address(), extent(dy, batch));
            Location ds = at(dx.address(), extent(dx, batch));
            int k = pool.kernel();
            float inv = 1f / (k * k);
            for (int n = 0; n < batch; n++) {
                for (int c = 0; c < dx.channels(); c++) {
                    float[] sums = new float[dx.plane()];
                    for (int oy = 0; oy < dy.height(); oy++) {
                        for (int ox = 0; ox < dy.width(); ox++) {
                            float g = gs.array[index(gs, dy, n, c, oy * dy.width() + ox)];
                            for (int ky = 0; ky < k; ky++) {
                                int iy = oy * pool.stride() - pool.padding() + ky;
                                for (int kx = 0; kx < k && iy >= 0 && iy < dx.height(); kx++) {
                                    int ix = ox * pool.stride() - pool.padding() + kx;
                                    if (ix >= 0 && ix < dx.width()) {
                                        sums[iy * dx.width() + ix] += g * inv;
                                    }
                                }
                            }
                        }
                    }
                    for (int p = 0; p < dx.plane(); p++) {
                        ds.array[index(ds, dx, n, c, p)] += sums[p];
                    }
                }
            }
        }

        @Override
        public void globalAvgPool(View x, long y, int batch) {
            Location xs = at(x.address(), extent(x, batch));
            Location ys = at(y, (long) batch * x.channels());
            for (int n = 0; n < batch; n++) {
                for (int c = 0; c < x.channels(); c++) {
                    double sum = 0;
                    for (int p = 0; p < x.plane(); p++) {
                        sum += xs.array[index(xs, x, n, c, p)];
                    }
                    ys.array[ys.index + n * x.channels() + c] = (float) (sum / x.plane());
                }
            }
        }

        @Override
        public void globalAvgPoolBackward(long dy, View dx, int batch) {
            Location gs = at(dy, (long) batch * dx.channels());
            Location ds = at(dx.address(), extent(dx, batch));
            for (int n = 0; n < batch; n++) {
                for (int c = 0; c < dx.channels(); c++) {
                    float g = gs.array[gs.index + n * dx.channels() + c] * (1f / dx.plane());
                    for (int p = 0; p < dx.plane(); p++) {
                        ds.array[index(ds, dx, n, c, p)] += g;
                    }
                }
            }
        }

        @Override
        public void linear(long x, long weight, long bias, long y, int in, int out, int batch) {
            float[] w = floats(weight, in * out);
            float[] b = bias == 0 ? new float[out] : floats(bias, out);
            Location xs = at(x, (long) batch * in);
            Location ys = at(y, (long) batch * out);
            for (int n = 0; n < batch; n++) {
                for (int o = 0; o < out; o++) {
                    double sum = b[o];
                    for (int k = 0; k < in; k++) {
                        sum += (double) w[o * in + k] * xs.array[xs.index + n * in + k];
                    }
                    ys.array[ys.index + n * out + o] = (float) sum;
                }
            }
        }

        @Override
        public void linearBackwardData(long dy, long weight, long dx, int in, int out, int batch) {
            float[] w = floats(weight, in * out);
            Location gs = at(dy, (long) batch * out);
            Location ds = at(dx, (long) batch * in);
            for (int n = 0; n < batch; n++) {
                for (int k = 0; k < in; k++) {
                    double sum = 0;
                    for (int o = 0; o < out; o++) {
                        sum += (double) w[o * in + k] * gs.array[gs.index + n * out + o];
                    }
                    ds.array[ds.index + n * in + k] += (float) sum;
                }
            }
        }

        @Override
        public void sliceAdd(View src, View dst, int batch) {
            Location ss = at(src.address(), extent(src, batch));
            Location ds = at(dst.address(), extent(dst, batch));
            for (int n = 0; n < batch; n++) {
                for (int c = 0; c < src.channels(); c++) {
                    for (int p = 0; p < src.plane(); p++) {
                        ds.array[index(ds, dst, n, c, p)] += ss.array[index(ss, src, n, c, p)];
                    }
                }
            }
        }

        @Override
        public void synchronize() {
        }

        @Override
        public void close() {
            if (!closed) {
                closed = true;
                devicesOpen--;
                convolutions.close();
            }
        }
    }

    /** A cuDNN tensor descriptor of {@code batch} images of a view, checked as cuDNN checks its size. */
    private void checkDescriptor(Device.View v, int batch) {
        if ((long) batch * v.imageStride() > maxTensorElements) {
            throw new CudaException("simulated cudnnSetTensor4dDescriptorEx(" + batch + " images of " + v.imageStride()
                    + " floats): CUDNN_STATUS_NOT_SUPPORTED, more than " + maxTensorElements + " elements", 3000);
        }
    }

    private static float tf32(float v) {
        int bits = Float.floatToRawIntBits(v);
        if ((bits & 0x7f800000) == 0x7f800000) {
            return v;
        }
        return Float.intBitsToFloat((bits + 0x1000) & 0xffffe000);
    }

    /** The simulated cuDNN of one device; see the class comment. */
    private final class SimulatedCudnn implements ConvolutionLibrary {
        private static final int FFT_F = cudnnConvolutionFwdAlgo.CUDNN_CONVOLUTION_FWD_ALGO_FFT;
        private static final int FFT_TILING_F = cudnnConvolutionFwdAlgo.CUDNN_CONVOLUTION_FWD_ALGO_FFT_TILING;
        private static final int GEMM_F = cudnnConvolutionFwdAlgo.CUDNN_CONVOLUTION_FWD_ALGO_GEMM;
        private static final int PRECOMP_F = cudnnConvolutionFwdAlgo.CUDNN_CONVOLUTION_FWD_ALGO_IMPLICIT_PRECOMP_GEMM;
        private static final int FFT_B = cudnnConvolutionBwdDataAlgo.CUDNN_CONVOLUTION_BWD_DATA_ALGO_FFT;
        private static final int FFT_TILING_B = cudnnConvolutionBwdDataAlgo.CUDNN_CONVOLUTION_BWD_DATA_ALGO_FFT_TILING;
        private static final int ALGO_0_B = cudnnConvolutionBwdDataAlgo.CUDNN_CONVOLUTION_BWD_DATA_ALGO_0;
        private final Random atomics = new Random(1);

        private List<Integer> offered(ConvAlgorithms.Geometry g) {
            Device.Conv c = g.conv();
            boolean unitStride = c.stride() == 1;
            boolean winograd = unitStride && c.kernelH() == 3 && c.kernelW() == 3;
            List<Integer> out = new ArrayList<>(List.of(0, 1));
            if (g.pass() == ConvAlgorithms.Pass.FORWARD) {
                out.add(GEMM_F);
                if (unitStride) {
                    out.addAll(List.of(FFT_F, FFT_TILING_F));
                }
                if (winograd) {
                    out.addAll(List.of(cudnnConvolutionFwdAlgo.CUDNN_CONVOLUTION_FWD_ALGO_WINOGRAD,
                            cudnnConvolutionFwdAlgo.CUDNN_CONVOLUTION_FWD_ALGO_WINOGRAD_NONFUSED));
                }
            } else {
                if (unitStride) {
                    out.addAll(List.of(FFT_B, FFT_TILING_B));
                }
                if (winograd) {
                    out.addAll(List.of(cudnnConvolutionBwdDataAlgo.CUDNN_CONVOLUTION_BWD_DATA_ALGO_WINOGRAD,
                            cudnnConvolutionBwdDataAlgo.CUDNN_CONVOLUTION_BWD_DATA_ALGO_WINOGRAD_NONFUSED));
                }
            }
            return out;
        }

        private boolean fft(ConvAlgorithms.Pass pass, int algorithm) {
            return pass == ConvAlgorithms.Pass.FORWARD ? algorithm == FFT_F || algorithm == FFT_TILING_F
                    : algorithm == FFT_B || algorithm == FFT_TILING_B;
        }

        /** The workspace an algorithm really needs, in bytes. */
        private long need(ConvAlgorithms.Geometry g, int batch, int algorithm) {
            Device.Conv c = g.conv();
            long taps = (long) c.inChannels() * c.kernelH() * c.kernelW();
            if (ConvAlgorithms.direct(g.pass(), algorithm)) {
                if (g.pass() == ConvAlgorithms.Pass.FORWARD && algorithm == GEMM_F) {
                    return 4L * batch * taps * g.output().height() * g.output().width(); // im2col
                }
                return algorithm == PRECOMP_F ? 4L * taps : 0;
            }
            return 4L * batch * (c.inChannels() + c.outChannels()) * (g.input().height() + c.kernelH()) * (g.input().width() + c.kernelW());
        }

        @Override
        public List<ConvAlgorithms.Candidate> candidates(ConvAlgorithms.Geometry g, Device.View input, Device.View output, int batch,
                                                          boolean measured) {
            checkDescriptor(input, batch);
            checkDescriptor(output, batch);
            if (measured) {
                measuredSearches++;
            } else {
                heuristicSearches++;
            }
            List<Integer> order = offered(g);
            java.util.Collections.shuffle(order, new Random((g + "@" + batch + (measured ? "m" : "h")).hashCode()));
            boolean packed = input.imageStride() == (long) input.channels() * input.plane()
                    && output.imageStride() == (long) output.channels() * output.plane();
            List<ConvAlgorithms.Candidate> out = new ArrayList<>();
            for (int a : order) {
                int status = fft(g.pass(), a) && !packed ? 3000 : 0;
                int determinism = g.pass() == ConvAlgorithms.Pass.BACKWARD_DATA && a == ALGO_0_B
                        ? cudnnDeterminism.CUDNN_NON_DETERMINISTIC : cudnnDeterminism.CUDNN_DETERMINISTIC;
                int math = reportedMath != null ? reportedMath
                        : settings.math() == MathMode.TF32 ? cudnnMathType.CUDNN_TENSOR_OP_MATH
                        : g.pass() == ConvAlgorithms.Pass.FORWARD && a == GEMM_F ? cudnnMathType.CUDNN_DEFAULT_MATH : cudnnMathType.CUDNN_FMA_MATH;
                // The heuristics under-report the im2col workspace of GEMM; a measured search reports the truth.
                long memory = !measured && g.pass() == ConvAlgorithms.Pass.FORWARD && a == GEMM_F ? 0 : need(g, batch, a);
                out.add(new ConvAlgorithms.Candidate(a, status, determinism, math, memory));
            }
            return out;
        }

        @Override
        public long workspaceSize(ConvAlgorithms.Geometry g, Device.View input, Device.View output, int batch, int algorithm) {
            checkDescriptor(input, batch);
            checkDescriptor(output, batch);
            if (!offered(g).contains(algorithm)) {
                throw new AlgorithmRefusedException("simulated: " + ConvAlgorithms.name(g.pass(), algorithm) + " does not exist for " + g);
            }
            boolean packed = input.imageStride() == (long) input.channels() * input.plane()
                    && output.imageStride() == (long) output.channels() * output.plane();
            if (fft(g.pass(), algorithm) && !packed) {
                throw new AlgorithmRefusedException("simulated CUDNN_STATUS_NOT_SUPPORTED: FFT on a strided tensor");
            }
            return need(g, batch, algorithm);
        }

        private void checkRun(ConvAlgorithms.Geometry g, int algorithm, int batch, long workspace, long workspaceBytes) {
            Set<Integer> refused = g.pass() == ConvAlgorithms.Pass.FORWARD ? refusedForward : refusedBackwardData;
            if (refused.contains(algorithm)) {
                throw new AlgorithmRefusedException("simulated CUDNN_STATUS_NOT_SUPPORTED");
            }
            long need = need(g, batch, algorithm);
            if (workspaceBytes < need) {
                throw new IllegalStateException(ConvAlgorithms.name(g.pass(), algorithm) + " for " + g + " at batch " + batch + " needs "
                        + need + " bytes of workspace, was given " + workspaceBytes);
            }
            if (need > 0) {
                at(workspace, need / 4); // the workspace must be live memory of that size
            }
            ran.merge(g.pass().id() + " " + ConvAlgorithms.name(g.pass(), algorithm), 1, Integer::sum);
        }

        /**
         * The order an algorithm visits a convolution's taps (channel, ky, kx) in, for channels
         * {@code channels}: channel-major, tap-major with even channels first, reversed, or
         * (backward algorithm 0) shuffled anew on every call.
         */
        private int[] order(ConvAlgorithms.Pass pass, int algorithm, int channels, int kh, int kw) {
            int taps = channels * kh * kw;
            int[] out = new int[taps];
            int style = pass == ConvAlgorithms.Pass.FORWARD ? algorithm % 3 : algorithm == 1 ? 0 : algorithm == ALGO_0_B ? 3 : 1;
            int t = 0;
            if (style == 1) {
                // Tap-major, and within a tap the even channels before the odd ones (two partial sums, as split-K).
                for (int k = 0; k < kh * kw; k++) {
                    for (int parity = 0; parity < 2; parity++) {
                        for (int ch = parity; ch < channels; ch += 2) {
                            out[t++] = ch * kh * kw + k;
                        }
                    }
                }
            } else {
                for (int i = 0; i < taps; i++) {
                    out[i] = style == 2 ? taps - 1 - i : i;
                }
            }
            if (style == 3) {
                for (int i = taps - 1; i > 0; i--) {
                    int j = atomics.nextInt(i + 1);
                    int tmp = out[i];
                    out[i] = out[j];
                    out[j] = tmp;
                }
            }
            return out;
        }

        /** Whether an algorithm's products are rounded to TF32 (tensor-op math, or an FFT/Winograd transform). */
        private boolean reduced(ConvAlgorithms.Pass pass, int algorithm) {
            return settings.math() == MathMode.TF32 || !ConvAlgorithms.direct(pass, algorithm);
        }

        @Override
        public void forward(Device.Conv c, int algorithm, long weight, Device.View x, Device.View y, int batch, long workspace,
                            long workspaceBytes) {
            ConvAlgorithms.Geometry g = ConvAlgorithms.Geometry.of(ConvAlgorithms.Pass.FORWARD, c, x, y);
            checkDescriptor(x, batch);
            checkDescriptor(y, batch);
            checkRun(g, algorithm, batch, workspace, workspaceBytes);
            boolean reduced = reduced(g.pass(), algorithm);
            int kk = c.kernelH() * c.kernelW();
            int[] order = order(g.pass(), algorithm, c.inChannels(), c.kernelH(), c.kernelW());
            int taps = order.length;
            int[] channel = new int[taps];
            int[] tapY = new int[taps];
            int[] tapX = new int[taps];
            for (int t = 0; t < taps; t++) {
                channel[t] = order[t] / kk;
                tapY[t] = order[t] % kk / c.kernelW();
                tapX[t] = order[t] % c.kernelW();
            }
            Location ws = at(weight, (long) c.outChannels() * c.inChannels() * kk);
            Location xs = at(x.address(), extent(x, batch));
            Location ys = at(y.address(), extent(y, batch));
            float[] w = new float[taps];
            float[] xa = xs.array();
            for (int n = 0; n < batch; n++) {
                int xImage = (int) (xs.index() + n * x.imageStride());
                for (int o = 0; o < c.outChannels(); o++) {
                    for (int t = 0; t < taps; t++) {
                        float v = ws.array()[ws.index() + o * c.inChannels() * kk + order[t]];
                        w[t] = reduced ? tf32(v) : v;
                    }
                    for (int oy = 0; oy < y.height(); oy++) {
                        for (int ox = 0; ox < y.width(); ox++) {
                            float sum = 0f;
                            int y0 = oy * c.stride() - c.padding();
                            int x0 = ox * c.stride() - c.padding();
                            for (int t = 0; t < taps; t++) {
                                int iy = y0 + tapY[t];
                                int ix = x0 + tapX[t];
                                if (iy < 0 || iy >= x.height() || ix < 0 || ix >= x.width()) {
                                    continue;
                                }
                                float v = xa[xImage + channel[t] * x.plane() + iy * x.width() + ix];
                                sum += w[t] * (reduced ? tf32(v) : v);
                            }
                            ys.array()[(int) (ys.index() + n * y.imageStride() + (long) o * y.plane() + oy * y.width() + ox)] = sum;
                        }
                    }
                }
            }
        }

        @Override
        public void backwardData(Device.Conv c, int algorithm, long weight, Device.View dy, Device.View dx, int batch, long workspace,
                                 long workspaceBytes) {
            ConvAlgorithms.Geometry g = ConvAlgorithms.Geometry.of(ConvAlgorithms.Pass.BACKWARD_DATA, c, dx, dy);
            checkDescriptor(dx, batch);
            checkDescriptor(dy, batch);
            checkRun(g, algorithm, batch, workspace, workspaceBytes);
            boolean reduced = reduced(g.pass(), algorithm);
            int kk = c.kernelH() * c.kernelW();
            // Taps of the gather: (output channel, ky, kx) for each input element.
            int[] order = order(g.pass(), algorithm, c.outChannels(), c.kernelH(), c.kernelW());
            int taps = order.length;
            int[] channel = new int[taps];
            int[] tapY = new int[taps];
            int[] tapX = new int[taps];
            for (int t = 0; t < taps; t++) {
                channel[t] = order[t] / kk;
                tapY[t] = order[t] % kk / c.kernelW();
                tapX[t] = order[t] % c.kernelW();
            }
            Location ws = at(weight, (long) c.outChannels() * c.inChannels() * kk);
            Location gs = at(dy.address(), extent(dy, batch));
            Location ds = at(dx.address(), extent(dx, batch));
            float[] w = new float[taps];
            float[] ga = gs.array();
            int stride = c.stride();
            for (int n = 0; n < batch; n++) {
                int gImage = (int) (gs.index() + n * dy.imageStride());
                for (int i = 0; i < dx.channels(); i++) {
                    for (int t = 0; t < taps; t++) {
                        float v = ws.array()[ws.index() + (channel[t] * c.inChannels() + i) * kk + tapY[t] * c.kernelW() + tapX[t]];
                        w[t] = reduced ? tf32(v) : v;
                    }
                    for (int iy = 0; iy < dx.height(); iy++) {
                        for (int ix = 0; ix < dx.width(); ix++) {
                            float sum = 0f;
                            for (int t = 0; t < taps; t++) {
                                int ty = iy + c.padding() - tapY[t];
                                int tx = ix + c.padding() - tapX[t];
                                if (ty < 0 || tx < 0 || (stride > 1 && (ty % stride != 0 || tx % stride != 0))) {
                                    continue;
                                }
                                int oy = stride == 1 ? ty : ty / stride;
                                int ox = stride == 1 ? tx : tx / stride;
                                if (oy >= dy.height() || ox >= dy.width()) {
                                    continue;
                                }
                                float d = ga[gImage + channel[t] * dy.plane() + oy * dy.width() + ox];
                                sum += w[t] * (reduced ? tf32(d) : d);
                            }
                            ds.array()[(int) (ds.index() + n * dx.imageStride() + (long) i * dx.plane() + iy * dx.width() + ix)] += sum;
                        }
                    }
                }
            }
        }

        @Override
        public void close() {
        }
    }
}
