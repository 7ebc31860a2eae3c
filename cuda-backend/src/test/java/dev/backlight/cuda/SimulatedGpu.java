package dev.backlight.cuda;

import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;

/**
 * A host simulation of the {@link Device} contract, for testing the CUDA backend's planner and
 * call sequence where no GPU is usable. Each operation is computed straight from its definition
 * (convolutions and matrix products accumulate in double) and every kernel's float arithmetic is
 * written as the CUDA source writes it. Memory is checked: every access must lie inside one live
 * allocation, new allocations are filled with NaN so that reading what nothing wrote shows up in
 * the results, and an optional limit makes allocations fail like a full device.
 *
 * <p>What it cannot check: the JCuda calls themselves, cuDNN's algorithms, launch
 * configurations. Those need the GPU run (cuda-backend/gpu-check).
 */
final class SimulatedGpu implements DeviceSource {
    private final MemoryLedger ledger = new MemoryLedger();
    private final TreeMap<Long, float[]> memory = new TreeMap<>();
    private final long limitBytes;
    private long nextAddress = 1L << 32;
    int devicesOpen;
    int allocationFailures;
    /** Convolutions on more images than this fail with out-of-memory (a workspace that does not fit). */
    int failConvolutionsAboveBatch = Integer.MAX_VALUE;
    int convolutionFailures;
    /** Runs inside every forward convolution, for tests that call back into a model mid-pass. */
    Runnable duringConvolution = () -> { };

    SimulatedGpu(long limitBytes) {
        this.limitBytes = limitBytes;
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
    public String describe() {
        return "simulated GPU (host arithmetic), limit " + MemoryLedger.mib(limitBytes);
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
        private boolean closed;

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
            float[] w = floats(weight, c.outChannels() * c.inChannels() * c.kernelH() * c.kernelW());
            Location xs = at(x.address(), extent(x, batch));
            Location ys = at(y.address(), extent(y, batch));
            for (int n = 0; n < batch; n++) {
                for (int o = 0; o < c.outChannels(); o++) {
                    for (int oy = 0; oy < oh; oy++) {
                        for (int ox = 0; ox < ow; ox++) {
                            double sum = 0;
                            for (int i = 0; i < c.inChannels(); i++) {
                                for (int ky = 0; ky < c.kernelH(); ky++) {
                                    int iy = oy * c.stride() - c.padding() + ky;
                                    if (iy < 0 || iy >= x.height()) {
                                        continue;
                                    }
                                    for (int kx = 0; kx < c.kernelW(); kx++) {
                                        int ix = ox * c.stride() - c.padding() + kx;
                                        if (ix >= 0 && ix < x.width()) {
                                            sum += (double) w[((o * c.inChannels() + i) * c.kernelH() + ky) * c.kernelW() + kx]
                                                    * xs.array[index(xs, x, n, i, iy * x.width() + ix)];
                                        }
                                    }
                                }
                            }
                            ys.array[index(ys, y, n, o, oy * ow + ox)] = (float) sum;
                        }
                    }
                }
            }
        }

        @Override
        public void convBackwardData(Conv c, long weight, View dy, View dx, int batch) {
            float[] w = floats(weight, c.outChannels() * c.inChannels() * c.kernelH() * c.kernelW());
            Location gs = at(dy.address(), extent(dy, batch));
            Location ds = at(dx.address(), extent(dx, batch));
            for (int n = 0; n < batch; n++) {
                double[] acc = new double[dx.channels() * dx.plane()];
                for (int o = 0; o < c.outChannels(); o++) {
                    for (int oy = 0; oy < dy.height(); oy++) {
                        for (int ox = 0; ox < dy.width(); ox++) {
                            double g = gs.array[index(gs, dy, n, o, oy * dy.width() + ox)];
                            for (int i = 0; i < c.inChannels(); i++) {
                                for (int ky = 0; ky < c.kernelH(); ky++) {
                                    int iy = oy * c.stride() - c.padding() + ky;
                                    if (iy < 0 || iy >= dx.height()) {
                                        continue;
                                    }
                                    for (int kx = 0; kx < c.kernelW(); kx++) {
                                        int ix = ox * c.stride() - c.padding() + kx;
                                        if (ix >= 0 && ix < dx.width()) {
                                            acc[i * dx.plane() + iy * dx.width() + ix] +=
                                                    w[((o * c.inChannels() + i) * c.kernelH() + ky) * c.kernelW() + kx] * g;
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
                for (int i = 0; i < dx.channels(); i++) {
                    for (int p = 0; p < dx.plane(); p++) {
                        ds.array[index(ds, dx, n, i, p)] += (float) acc[i * dx.plane() + p];
                    }
                }
            }
        }

        @Override
        public void addChannelBias(long bias, View y, int batch) {
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
            }
        }
    }
}
