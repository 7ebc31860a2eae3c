package dev.backlight.cuda;

import java.util.ArrayList;
import java.util.List;
import jcuda.jcudnn.cudnnConvolutionBwdDataAlgo;
import jcuda.jcudnn.cudnnConvolutionFwdAlgo;
import jcuda.jcudnn.cudnnDeterminism;
import jcuda.jcudnn.cudnnMathType;

/**
 * Which of cuDNN's convolution algorithms the CUDA backend may use, and in which order: the
 * policy, apart from the cuDNN calls so that it is tested without a GPU.
 *
 * <ul>
 *   <li>Only deterministic algorithms (the same bits on every run) that succeeded and whose
 *       workspace fits the limit.
 *   <li>{@link MathMode#FP32}: no tensor-op math. cuDNN may report an algorithm that honours the
 *       descriptor's {@code CUDNN_FMA_MATH} as {@code CUDNN_DEFAULT_MATH}; both are accepted.
 *       FFT, FFT-tiling and Winograd algorithms are excluded: they round differently (transforms
 *       of the operands) and, compounded over DenseNet-201's ~200 convolutions, could exceed the
 *       1e-4 agreement with the CPU backend. What remains are the GEMM-family algorithms.
 *   <li>{@link MathMode#TF32}: any math, any deterministic algorithm.
 *   <li>cuDNN's order (fastest first) is kept; the last resort — {@code IMPLICIT_GEMM} forward,
 *       {@code BWD_DATA_ALGO_1} backward, which every geometry supports — ends every list, so a
 *       convolution runs even when cuDNN offers nothing usable.
 * </ul>
 */
final class ConvAlgorithms {
    private ConvAlgorithms() {
    }

    /** The two convolution passes the backend runs. */
    enum Pass {
        FORWARD("forward"),
        BACKWARD_DATA("backward-data");

        private final String id;

        Pass(String id) {
            this.id = id;
        }

        String id() {
            return id;
        }
    }

    /** A tensor's layout without its batch: a channel slice of {@code imageStride} floats per image. */
    record Layout(int channels, int height, int width, long imageStride) {
        static Layout of(Device.View v) {
            return new Layout(v.channels(), v.height(), v.width(), v.imageStride());
        }

        @Override
        public String toString() {
            return channels + "x" + height + "x" + width + "/" + imageStride;
        }
    }

    /**
     * What an algorithm is chosen for: the pass, the convolution, and the layouts of its input
     * side ({@code x}, or {@code dx} backward) and output side ({@code y}, or {@code dy}). The
     * batch size is deliberately not part of it: one algorithm per geometry keeps each image's
     * summation order the same whatever batch it is computed in.
     */
    record Geometry(Pass pass, Device.Conv conv, Layout input, Layout output) {
        static Geometry of(Pass pass, Device.Conv conv, Device.View input, Device.View output) {
            return new Geometry(pass, conv, Layout.of(input), Layout.of(output));
        }

        @Override
        public String toString() {
            return pass.id() + " " + conv.inChannels() + "->" + conv.outChannels() + " " + conv.kernelH() + "x" + conv.kernelW()
                    + " s" + conv.stride() + " p" + conv.padding() + " " + input + " -> " + output;
        }
    }

    /**
     * One algorithm cuDNN offered, from either perf-result type.
     *
     * @param memory the workspace cuDNN reported, for the batch it was asked about
     */
    record Candidate(int algorithm, int status, int determinism, int mathType, long memory) {
    }

    /** The algorithm that always runs: implicit GEMM forward, algorithm 1 backward-data (both deterministic, FMA). */
    static int lastResort(Pass pass) {
        return pass == Pass.FORWARD ? cudnnConvolutionFwdAlgo.CUDNN_CONVOLUTION_FWD_ALGO_IMPLICIT_GEMM
                : cudnnConvolutionBwdDataAlgo.CUDNN_CONVOLUTION_BWD_DATA_ALGO_1;
    }

    /** Whether an algorithm rounds as a direct sum of products does (not an FFT or Winograd transform). */
    static boolean direct(Pass pass, int algorithm) {
        if (pass == Pass.FORWARD) {
            return algorithm == cudnnConvolutionFwdAlgo.CUDNN_CONVOLUTION_FWD_ALGO_IMPLICIT_GEMM
                    || algorithm == cudnnConvolutionFwdAlgo.CUDNN_CONVOLUTION_FWD_ALGO_IMPLICIT_PRECOMP_GEMM
                    || algorithm == cudnnConvolutionFwdAlgo.CUDNN_CONVOLUTION_FWD_ALGO_GEMM
                    || algorithm == cudnnConvolutionFwdAlgo.CUDNN_CONVOLUTION_FWD_ALGO_DIRECT;
        }
        return algorithm == cudnnConvolutionBwdDataAlgo.CUDNN_CONVOLUTION_BWD_DATA_ALGO_0
                || algorithm == cudnnConvolutionBwdDataAlgo.CUDNN_CONVOLUTION_BWD_DATA_ALGO_1;
    }

    /** Whether a reported math type is plain float32 arithmetic. */
    static boolean fp32Math(int mathType) {
        return mathType == cudnnMathType.CUDNN_FMA_MATH || mathType == cudnnMathType.CUDNN_DEFAULT_MATH;
    }

    /** Whether the backend may use a candidate in this math mode with this workspace limit. */
    static boolean usable(Pass pass, Candidate c, MathMode math, long workspaceLimit) {
        if (c.status() != 0 || c.determinism() != cudnnDeterminism.CUDNN_DETERMINISTIC || c.memory() > workspaceLimit) {
            return false;
        }
        // Algorithm 0 of backward-data accumulates with atomics: never deterministic, whatever is reported.
        if (pass == Pass.BACKWARD_DATA && c.algorithm() == cudnnConvolutionBwdDataAlgo.CUDNN_CONVOLUTION_BWD_DATA_ALGO_0) {
            return false;
        }
        return math == MathMode.TF32 || (fp32Math(c.mathType()) && direct(pass, c.algorithm()));
    }

    /**
     * The candidates the backend may use, in cuDNN's order, each once, with the last resort at the
     * end (with the workspace cuDNN reported for it, or 0 if it offered none).
     */
    static List<Candidate> ranked(Pass pass, List<Candidate> offered, MathMode math, long workspaceLimit) {
        List<Candidate> out = new ArrayList<>();
        for (Candidate c : offered) {
            if (usable(pass, c, math, workspaceLimit) && out.stream().noneMatch(o -> o.algorithm() == c.algorithm())) {
                out.add(c);
            }
        }
        int last = lastResort(pass);
        if (out.stream().noneMatch(o -> o.algorithm() == last)) {
            out.add(new Candidate(last, 0, cudnnDeterminism.CUDNN_DETERMINISTIC, cudnnMathType.CUDNN_FMA_MATH, 0));
        }
        return out;
    }

    /** cuDNN's name of an algorithm, for messages. */
    static String name(Pass pass, int algorithm) {
        String[] forward = {"IMPLICIT_GEMM", "IMPLICIT_PRECOMP_GEMM", "GEMM", "DIRECT", "FFT", "FFT_TILING", "WINOGRAD", "WINOGRAD_NONFUSED"};
        String[] backward = {"ALGO_0", "ALGO_1", "FFT", "FFT_TILING", "WINOGRAD", "WINOGRAD_NONFUSED"};
        String[] names = pass == Pass.FORWARD ? forward : backward;
        return algorithm >= 0 && algorithm < names.length ? names[algorithm] : "algorithm " + algorithm;
    }
}
