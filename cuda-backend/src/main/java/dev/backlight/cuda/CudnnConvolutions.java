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
import static jcuda.jcudnn.JCudnn.cudnnGetConvolutionBackwardDataWorkspaceSize;
import static jcuda.jcudnn.JCudnn.cudnnGetConvolutionForwardAlgorithm_v7;
import static jcuda.jcudnn.JCudnn.cudnnGetConvolutionForwardWorkspaceSize;
import static jcuda.jcudnn.JCudnn.cudnnSetConvolution2dDescriptor;
import static jcuda.jcudnn.JCudnn.cudnnSetConvolutionMathType;
import static jcuda.jcudnn.JCudnn.cudnnSetFilter4dDescriptor;
import static jcuda.jcudnn.JCudnn.cudnnSetTensor4dDescriptorEx;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import jcuda.Pointer;
import jcuda.jcudnn.JCudnn;
import jcuda.jcudnn.cudnnConvolutionBwdDataAlgoPerf;
import jcuda.jcudnn.cudnnConvolutionDescriptor;
import jcuda.jcudnn.cudnnConvolutionFwdAlgoPerf;
import jcuda.jcudnn.cudnnConvolutionMode;
import jcuda.jcudnn.cudnnDataType;
import jcuda.jcudnn.cudnnFilterDescriptor;
import jcuda.jcudnn.cudnnHandle;
import jcuda.jcudnn.cudnnMathType;
import jcuda.jcudnn.cudnnTensorDescriptor;
import jcuda.jcudnn.cudnnTensorFormat;

/**
 * cuDNN's convolutions for one {@link CudaDevice}: descriptors made once per geometry (a channel
 * slice of a block buffer is a strided tensor descriptor, so concatenation costs nothing), the
 * candidate lists, workspace sizes and the convolution calls. Which algorithm runs is decided by
 * {@link ConvolutionRunner}.
 *
 * <p>A call that cuDNN refuses before running anything ({@code NOT_SUPPORTED}, {@code BAD_PARAM})
 * is an {@link AlgorithmRefusedException}, so the runner tries the next candidate; any other
 * failure is a {@link CudaException} (or out-of-memory).
 */
final class CudnnConvolutions implements ConvolutionLibrary {
    private static final int CANDIDATES = 16;

    private final cudnnHandle handle;
    private final MathMode math;
    private final Map<String, cudnnTensorDescriptor> tensors = new HashMap<>();
    private final Map<Device.Conv, cudnnFilterDescriptor> filters = new HashMap<>();
    private final Map<Device.Conv, cudnnConvolutionDescriptor> convolutions = new HashMap<>();

    CudnnConvolutions(cudnnHandle handle, MathMode math) {
        this.handle = handle;
        this.math = math;
    }

    @Override
    public List<ConvAlgorithms.Candidate> candidates(ConvAlgorithms.Geometry g, Device.View input, Device.View output, int batch,
                                                      boolean measured) {
        cudnnTensorDescriptor in = tensor(input, batch);
        cudnnTensorDescriptor out = tensor(output, batch);
        int[] count = new int[1];
        List<ConvAlgorithms.Candidate> found = new ArrayList<>();
        if (g.pass() == ConvAlgorithms.Pass.FORWARD) {
            cudnnConvolutionFwdAlgoPerf[] perf = new cudnnConvolutionFwdAlgoPerf[CANDIDATES];
            java.util.Arrays.setAll(perf, i -> new cudnnConvolutionFwdAlgoPerf());
            int status = measured
                    ? cudnnFindConvolutionForwardAlgorithm(handle, in, filter(g.conv()), convolution(g.conv()), out, CANDIDATES, count, perf)
                    : cudnnGetConvolutionForwardAlgorithm_v7(handle, in, filter(g.conv()), convolution(g.conv()), out, CANDIDATES, count, perf);
            if (status != 0) {
                return List.of();
            }
            for (int i = 0; i < count[0]; i++) {
                found.add(new ConvAlgorithms.Candidate(perf[i].algo, perf[i].status, perf[i].determinism, perf[i].mathType, perf[i].memory));
            }
        } else {
            cudnnConvolutionBwdDataAlgoPerf[] perf = new cudnnConvolutionBwdDataAlgoPerf[CANDIDATES];
            java.util.Arrays.setAll(perf, i -> new cudnnConvolutionBwdDataAlgoPerf());
            int status = measured
                    ? cudnnFindConvolutionBackwardDataAlgorithm(handle, filter(g.conv()), out, convolution(g.conv()), in, CANDIDATES, count, perf)
                    : cudnnGetConvolutionBackwardDataAlgorithm_v7(handle, filter(g.conv()), out, convolution(g.conv()), in, CANDIDATES, count, perf);
            if (status != 0) {
                return List.of();
            }
            for (int i = 0; i < count[0]; i++) {
                found.add(new ConvAlgorithms.Candidate(perf[i].algo, perf[i].status, perf[i].determinism, perf[i].mathType, perf[i].memory));
            }
        }
        return found;
    }

    @Override
    public long workspaceSize(ConvAlgorithms.Geometry g, Device.View input, Device.View output, int batch, int algorithm) {
        long[] size = new long[1];
        String operation;
        int status;
        if (g.pass() == ConvAlgorithms.Pass.FORWARD) {
            operation = "cudnnGetConvolutionForwardWorkspaceSize";
            status = cudnnGetConvolutionForwardWorkspaceSize(handle, tensor(input, batch), filter(g.conv()), convolution(g.conv()),
                    tensor(output, batch), algorithm, size);
        } else {
            operation = "cudnnGetConvolutionBackwardDataWorkspaceSize";
            status = cudnnGetConvolutionBackwardDataWorkspaceSize(handle, filter(g.conv()), tensor(output, batch), convolution(g.conv()),
                    tensor(input, batch), algorithm, size);
        }
        check(status, operation + "(" + g + ", batch " + batch + ", " + ConvAlgorithms.name(g.pass(), algorithm) + ")");
        return size[0];
    }

    @Override
    public void forward(Device.Conv conv, int algorithm, long weight, Device.View x, Device.View y, int batch, long workspace,
                        long workspaceBytes) {
        int status = cudnnConvolutionForward(handle, one(), tensor(x, batch), CudaContext.at(x.address()), filter(conv), CudaContext.at(weight),
                convolution(conv), algorithm, CudaContext.at(workspace), workspaceBytes, zero(), tensor(y, batch), CudaContext.at(y.address()));
        check(status, "cudnnConvolutionForward(" + conv + ", batch " + batch + ", "
                + ConvAlgorithms.name(ConvAlgorithms.Pass.FORWARD, algorithm) + ")");
    }

    @Override
    public void backwardData(Device.Conv conv, int algorithm, long weight, Device.View dy, Device.View dx, int batch, long workspace,
                             long workspaceBytes) {
        // beta = 1: the input gradient accumulates (dense-block consumers add into one buffer).
        int status = cudnnConvolutionBackwardData(handle, one(), filter(conv), CudaContext.at(weight), tensor(dy, batch),
                CudaContext.at(dy.address()), convolution(conv), algorithm, CudaContext.at(workspace), workspaceBytes, one(),
                tensor(dx, batch), CudaContext.at(dx.address()));
        check(status, "cudnnConvolutionBackwardData(" + conv + ", batch " + batch + ", "
                + ConvAlgorithms.name(ConvAlgorithms.Pass.BACKWARD_DATA, algorithm) + ")");
    }

    /** Refusals (nothing ran) become {@link AlgorithmRefusedException}; other failures are thrown by {@link CudaStatus}. */
    private static void check(int status, String operation) {
        if (status == 0) {
            return;
        }
        String name = JCudnn.cudnnGetErrorString(status);
        if (name != null && (name.contains("NOT_SUPPORTED") || name.contains("BAD_PARAM"))) {
            throw new AlgorithmRefusedException(operation + ": " + name);
        }
        CudaStatus.cudnn(status, operation);
    }

    /** {@code y = bias (broadcast over n, h, w) + beta · y}. */
    void addChannelBias(long bias, Device.View y, int batch, float beta) {
        cudnnTensorDescriptor bd = tensor(new Device.View(0, y.channels(), 1, 1, y.channels()), 1);
        CudaStatus.cudnn(cudnnAddTensor(handle, one(), bd, CudaContext.at(bias), Pointer.to(new float[] {beta}), tensor(y, batch),
                CudaContext.at(y.address())), "cudnnAddTensor(bias of " + y.channels() + " channels)");
    }

    private cudnnTensorDescriptor tensor(Device.View v, int batch) {
        String key = batch + ":" + v.channels() + ":" + v.height() + ":" + v.width() + ":" + v.imageStride();
        cudnnTensorDescriptor known = tensors.get(key);
        if (known != null) {
            return known;
        }
        cudnnTensorDescriptor d = new cudnnTensorDescriptor();
        CudaStatus.cudnn(cudnnCreateTensorDescriptor(d), "cudnnCreateTensorDescriptor");
        int status = cudnnSetTensor4dDescriptorEx(d, cudnnDataType.CUDNN_DATA_FLOAT, batch, v.channels(), v.height(), v.width(),
                Math.toIntExact(v.imageStride()), v.plane(), v.width(), 1);
        if (status != 0) {
            cudnnDestroyTensorDescriptor(d);
            CudaStatus.cudnn(status, "cudnnSetTensor4dDescriptorEx(" + key + ")");
        }
        tensors.put(key, d);
        return d;
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
            // FP32 asks for FMA math explicitly: without it, cuDNN may use TF32 tensor cores for float convolutions.
            int mathType = math == MathMode.TF32 ? cudnnMathType.CUDNN_TENSOR_OP_MATH : cudnnMathType.CUDNN_FMA_MATH;
            CudaStatus.cudnn(cudnnSetConvolutionMathType(d, mathType), "cudnnSetConvolutionMathType");
            return d;
        });
    }

    private static Pointer one() {
        return Pointer.to(new float[] {1f});
    }

    private static Pointer zero() {
        return Pointer.to(new float[] {0f});
    }

    @Override
    public void close() {
        tensors.values().forEach(d -> cudnnDestroyTensorDescriptor(d));
        filters.values().forEach(d -> cudnnDestroyFilterDescriptor(d));
        convolutions.values().forEach(d -> cudnnDestroyConvolutionDescriptor(d));
        tensors.clear();
        filters.clear();
        convolutions.clear();
    }
}
