package dev.backlight.cuda;

import static jcuda.jcudnn.JCudnn.cudnnAddTensor;
import static jcuda.jcudnn.JCudnn.cudnnConvolutionBackwardData;
import static jcuda.jcudnn.JCudnn.cudnnConvolutionForward;
import static jcuda.jcudnn.JCudnn.cudnnCreateConvolutionDescriptor;
import static jcuda.jcudnn.JCudnn.cudnnCreateFilterDescriptor;
import static jcuda.jcudnn.JCudnn.cudnnCreateTensorDescriptor;
import static jcuda.jcudnn.JCudnn.cudnnDestroyConvolutionDescriptor;
import static jcuda.jcudnn.JCudnn.cudnnDestroyFilterDescriptor;
import static jcuda.jcudnn.JCudnn.cudnnDestroyTensorDescriptor;
import static jcuda.jcudnn.JCudnn.cudnnFindConvolutionBackwardDataAlgorithm;
import static jcuda.jcudnn.JCudnn.cudnnFindConvolutionForwardAlgorithm;
import static jcuda.jcudnn.JCudnn.cudnnGetConvolutionBackwardDataAlgorithm_v7;
import static jcuda.jcudnn.JCudnn.cudnnGetConvolutionForwardAlgorithm_v7;
import static jcuda.jcudnn.JCudnn.cudnnSetConvolution2dDescriptor;
import static jcuda.jcudnn.JCudnn.cudnnSetConvolutionMathType;
import static jcuda.jcudnn.JCudnn.cudnnSetFilter4dDescriptor;
import static jcuda.jcudnn.JCudnn.cudnnSetTensor4dDescriptorEx;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import jcuda.Pointer;
import jcuda.jcudnn.cudnnConvolutionBwdDataAlgoPerf;
import jcuda.jcudnn.cudnnConvolutionDescriptor;
import jcuda.jcudnn.cudnnConvolutionFwdAlgoPerf;
import jcuda.jcudnn.cudnnConvolutionMode;
import jcuda.jcudnn.cudnnDataType;
import jcuda.jcudnn.cudnnDeterminism;
import jcuda.jcudnn.cudnnFilterDescriptor;
import jcuda.jcudnn.cudnnHandle;
import jcuda.jcudnn.cudnnMathType;
import jcuda.jcudnn.cudnnTensorDescriptor;
import jcuda.jcudnn.cudnnTensorFormat;

/**
 * cuDNN convolutions of one {@link CudaDevice}: descriptors made once per geometry (a channel
 * slice of a block buffer is a strided tensor descriptor, so concatenation costs nothing), the
 * algorithm chosen once per shape and batch, and one workspace that grows to the largest need.
 *
 * <p>Algorithm choice: {@code cudnnFind*Algorithm} (measured) and, if that fails,
 * {@code cudnnGet*Algorithm_v7} (heuristics); the fastest candidate that succeeded, is
 * deterministic and, in {@link MathMode#FP32}, uses {@code CUDNN_FMA_MATH} (no TF32).
 */
final class CudnnConvolutions implements AutoCloseable {
    private static final int CANDIDATES = 16;
    /** An algorithm may need at most this much workspace, or a quarter of the free memory if more. */
    private static final long WORKSPACE_FLOOR = 256L << 20;

    private record Choice(int algorithm, long workspace) {
    }

    private final cudnnHandle handle;
    private final CudaContext context;
    private final CudaDevice device;
    private final Map<String, cudnnTensorDescriptor> tensors = new HashMap<>();
    private final Map<Device.Conv, cudnnFilterDescriptor> filters = new HashMap<>();
    private final Map<Device.Conv, cudnnConvolutionDescriptor> convolutions = new HashMap<>();
    private final Map<String, Choice> choices = new HashMap<>();
    private long workspace;
    private long workspaceBytes;

    CudnnConvolutions(cudnnHandle handle, CudaContext context, CudaDevice device) {
        this.handle = handle;
        this.context = context;
        this.device = device;
    }

    void forward(Device.Conv conv, long weight, Device.View x, Device.View y, int batch) {
        cudnnTensorDescriptor xd = tensor(x, batch);
        cudnnTensorDescriptor yd = tensor(y, batch);
        Choice c = choices.get(key("F", conv, x, y, batch));
        if (c == null) {
            c = chooseForward(conv, xd, yd);
            choices.put(key("F", conv, x, y, batch), c);
        }
        long ws = workspace(c.workspace());
        CudaStatus.cudnn(cudnnConvolutionForward(handle, one(), xd, CudaContext.at(x.address()), filter(conv), CudaContext.at(weight),
                convolution(conv), c.algorithm(), CudaContext.at(ws), c.workspace(), zero(), yd, CudaContext.at(y.address())),
                "cudnnConvolutionForward(" + conv + ", batch " + batch + ", algorithm " + c.algorithm() + ")");
    }

    void backwardData(Device.Conv conv, long weight, Device.View dy, Device.View dx, int batch) {
        cudnnTensorDescriptor dyd = tensor(dy, batch);
        cudnnTensorDescriptor dxd = tensor(dx, batch);
        String key = key("B", conv, dx, dy, batch);
        Choice c = choices.get(key);
        if (c == null) {
            c = chooseBackwardData(conv, dyd, dxd);
            choices.put(key, c);
        }
        long ws = workspace(c.workspace());
        // beta = 1: the input gradient accumulates (dense-block consumers add into one buffer).
        CudaStatus.cudnn(cudnnConvolutionBackwardData(handle, one(), filter(conv), CudaContext.at(weight), dyd, CudaContext.at(dy.address()),
                convolution(conv), c.algorithm(), CudaContext.at(ws), c.workspace(), one(), dxd, CudaContext.at(dx.address())),
                "cudnnConvolutionBackwardData(" + conv + ", batch " + batch + ", algorithm " + c.algorithm() + ")");
    }

    /** {@code y = bias (broadcast over n, h, w) + beta · y}. */
    void addChannelBias(long bias, Device.View y, int batch, float beta) {
        cudnnTensorDescriptor bd = tensor(new Device.View(0, y.channels(), 1, 1, y.channels()), 1);
        CudaStatus.cudnn(cudnnAddTensor(handle, one(), bd, CudaContext.at(bias), Pointer.to(new float[] {beta}), tensor(y, batch),
                CudaContext.at(y.address())), "cudnnAddTensor(bias of " + y.channels() + " channels)");
    }

    /** One algorithm cuDNN offered, from either perf-result type. */
    private record Candidate(int algorithm, int status, int determinism, int math, long memory) {
    }

    /** Asks cuDNN for candidates, measured ({@code cudnnFind…}) or by heuristics ({@code cudnnGet…_v7}); null if the call failed. */
    private interface Finder {
        List<Candidate> find(boolean measured);
    }

    private Choice chooseForward(Device.Conv conv, cudnnTensorDescriptor xd, cudnnTensorDescriptor yd) {
        return choose("forward", conv, measured -> {
            cudnnConvolutionFwdAlgoPerf[] perf = new cudnnConvolutionFwdAlgoPerf[CANDIDATES];
            java.util.Arrays.setAll(perf, i -> new cudnnConvolutionFwdAlgoPerf());
            int[] count = new int[1];
            int status = measured
                    ? cudnnFindConvolutionForwardAlgorithm(handle, xd, filter(conv), convolution(conv), yd, CANDIDATES, count, perf)
                    : cudnnGetConvolutionForwardAlgorithm_v7(handle, xd, filter(conv), convolution(conv), yd, CANDIDATES, count, perf);
            if (status != 0) {
                return null;
            }
            List<Candidate> out = new ArrayList<>();
            for (int i = 0; i < count[0]; i++) {
                out.add(new Candidate(perf[i].algo, perf[i].status, perf[i].determinism, perf[i].mathType, perf[i].memory));
            }
            return out;
        });
    }

    private Choice chooseBackwardData(Device.Conv conv, cudnnTensorDescriptor dyd, cudnnTensorDescriptor dxd) {
        return choose("backward-data", conv, measured -> {
            cudnnConvolutionBwdDataAlgoPerf[] perf = new cudnnConvolutionBwdDataAlgoPerf[CANDIDATES];
            java.util.Arrays.setAll(perf, i -> new cudnnConvolutionBwdDataAlgoPerf());
            int[] count = new int[1];
            int status = measured
                    ? cudnnFindConvolutionBackwardDataAlgorithm(handle, filter(conv), dyd, convolution(conv), dxd, CANDIDATES, count, perf)
                    : cudnnGetConvolutionBackwardDataAlgorithm_v7(handle, filter(conv), dyd, convolution(conv), dxd, CANDIDATES, count, perf);
            if (status != 0) {
                return null;
            }
            List<Candidate> out = new ArrayList<>();
            for (int i = 0; i < count[0]; i++) {
                out.add(new Candidate(perf[i].algo, perf[i].status, perf[i].determinism, perf[i].mathType, perf[i].memory));
            }
            return out;
        });
    }

    /**
     * The fastest candidate (cuDNN lists them fastest first) that succeeded, is deterministic, has
     * the right math and fits the workspace limit: measured candidates first, heuristic ones if
     * measuring failed or offered none.
     */
    private Choice choose(String pass, Device.Conv conv, Finder finder) {
        long limit = Math.max(WORKSPACE_FLOOR, context.freeBytes() / 4);
        for (boolean measured : new boolean[] {true, false}) {
            List<Candidate> candidates = finder.find(measured);
            for (Candidate c : candidates == null ? List.<Candidate>of() : candidates) {
                boolean mathOk = context.math() == MathMode.TF32 || c.math() == cudnnMathType.CUDNN_FMA_MATH;
                if (c.status() == 0 && c.determinism() == cudnnDeterminism.CUDNN_DETERMINISTIC && mathOk && c.memory() <= limit) {
                    return new Choice(c.algorithm(), c.memory());
                }
            }
        }
        throw new CudaException("cuDNN offers no usable " + pass + " algorithm for " + conv + " (deterministic, "
                + context.math().label() + ", workspace <= " + MemoryLedger.mib(limit) + ")", 0);
    }

    /** The workspace, grown to at least {@code bytes} (0 when none is needed). */
    private long workspace(long bytes) {
        if (bytes <= workspaceBytes) {
            return workspace;
        }
        if (workspace != 0) {
            device.synchronize();
            context.free(workspace);
            workspace = 0;
            workspaceBytes = 0;
        }
        workspace = context.allocate(bytes, "cuDNN workspace");
        workspaceBytes = bytes;
        return workspace;
    }

    private cudnnTensorDescriptor tensor(Device.View v, int batch) {
        String key = batch + ":" + v.channels() + ":" + v.height() + ":" + v.width() + ":" + v.imageStride();
        return tensors.computeIfAbsent(key, k -> {
            cudnnTensorDescriptor d = new cudnnTensorDescriptor();
            CudaStatus.cudnn(cudnnCreateTensorDescriptor(d), "cudnnCreateTensorDescriptor");
            CudaStatus.cudnn(cudnnSetTensor4dDescriptorEx(d, cudnnDataType.CUDNN_DATA_FLOAT, batch, v.channels(), v.height(), v.width(),
                    Math.toIntExact(v.imageStride()), v.plane(), v.width(), 1), "cudnnSetTensor4dDescriptorEx(" + key + ")");
            return d;
        });
    }

    private cudnnFilterDescriptor filter(Device.Conv conv) {
        return filters.computeIfAbsent(conv, c -> {
            cudnnFilterDescriptor d = new cudnnFilterDescriptor();
            CudaStatus.cudnn(cudnnCreateFilterDescriptor(d), "cudnnCreateFilterDescriptor");
            CudaStatus.cudnn(cudnnSetFilter4dDescriptor(d, cudnnDataType.CUDNN_DATA_FLOAT, cudnnTensorFormat.CUDNN_TENSOR_NCHW,
                    c.outChannels(), c.inChannels(), c.kernelH(), c.kernelW()), "cudnnSetFilter4dDescriptor(" + c + ")");
            return d;
        });
    }

    private cudnnConvolutionDescriptor convolution(Device.Conv conv) {
        return convolutions.computeIfAbsent(conv, c -> {
            cudnnConvolutionDescriptor d = new cudnnConvolutionDescriptor();
            CudaStatus.cudnn(cudnnCreateConvolutionDescriptor(d), "cudnnCreateConvolutionDescriptor");
            CudaStatus.cudnn(cudnnSetConvolution2dDescriptor(d, c.padding(), c.padding(), c.stride(), c.stride(), 1, 1,
                    cudnnConvolutionMode.CUDNN_CROSS_CORRELATION, cudnnDataType.CUDNN_DATA_FLOAT), "cudnnSetConvolution2dDescriptor(" + c + ")");
            int math = context.math() == MathMode.TF32 ? cudnnMathType.CUDNN_TENSOR_OP_MATH : cudnnMathType.CUDNN_FMA_MATH;
            CudaStatus.cudnn(cudnnSetConvolutionMathType(d, math), "cudnnSetConvolutionMathType");
            return d;
        });
    }

    private static String key(String pass, Device.Conv conv, Device.View a, Device.View b, int batch) {
        return pass + conv + batch + ":" + a.channels() + "x" + a.height() + "x" + a.width() + "/" + a.imageStride()
                + ":" + b.channels() + "x" + b.height() + "x" + b.width() + "/" + b.imageStride();
    }

    private static Pointer one() {
        return Pointer.to(new float[] {1f});
    }

    private static Pointer zero() {
        return Pointer.to(new float[] {0f});
    }

    @Override
    public void close() {
        RuntimeException first = null;
        try {
            if (workspace != 0) {
                context.free(workspace);
                workspace = 0;
            }
        } catch (RuntimeException e) {
            first = e;
        }
        tensors.values().forEach(d -> cudnnDestroyTensorDescriptor(d));
        filters.values().forEach(d -> cudnnDestroyFilterDescriptor(d));
        convolutions.values().forEach(d -> cudnnDestroyConvolutionDescriptor(d));
        tensors.clear();
        filters.clear();
        convolutions.clear();
        if (first != null) {
            throw first;
        }
    }
}
