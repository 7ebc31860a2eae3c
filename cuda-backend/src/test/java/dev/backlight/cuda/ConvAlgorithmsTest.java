package dev.backlight.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.backlight.cuda.ConvAlgorithms.Candidate;
import dev.backlight.cuda.ConvAlgorithms.Pass;
import java.util.List;
import jcuda.jcudnn.cudnnConvolutionBwdDataAlgo;
import jcuda.jcudnn.cudnnConvolutionFwdAlgo;
import jcuda.jcudnn.cudnnDeterminism;
import jcuda.jcudnn.cudnnMathType;
import org.junit.jupiter.api.Test;

/**
 * The algorithm policy against cuDNN's enum values written out here (review findings 4 and 5):
 * what fp32 and tf32 accept, and the last resort that keeps a convolution running when cuDNN
 * offers nothing usable.
 */
class ConvAlgorithmsTest {
    private static final int DET = cudnnDeterminism.CUDNN_DETERMINISTIC;
    private static final int FMA = cudnnMathType.CUDNN_FMA_MATH;
    private static final int DEFAULT = cudnnMathType.CUDNN_DEFAULT_MATH;
    private static final int TENSOR = cudnnMathType.CUDNN_TENSOR_OP_MATH;
    private static final long LIMIT = 1L << 20;

    private static Candidate fwd(int algorithm, int math) {
        return new Candidate(algorithm, 0, DET, math, 0);
    }

    private static List<Integer> algorithms(List<Candidate> ranked) {
        return ranked.stream().map(Candidate::algorithm).toList();
    }

    @Test
    void fp32AcceptsFmaAndDefaultMathAndKeepsCudnnsOrder() {
        // cuDNN lists fastest first: PRECOMP_GEMM reported as DEFAULT_MATH (finding 4), GEMM with tensor-op math, IMPLICIT_GEMM FMA.
        List<Candidate> offered = List.of(fwd(1, DEFAULT), fwd(2, TENSOR), fwd(0, FMA));
        assertEquals(List.of(1, 0), algorithms(ConvAlgorithms.ranked(Pass.FORWARD, offered, MathMode.FP32, LIMIT)));
        assertEquals(List.of(1, 2, 0), algorithms(ConvAlgorithms.ranked(Pass.FORWARD, offered, MathMode.TF32, LIMIT)));
    }

    @Test
    void fp32ExcludesFftAndWinogradInBothPasses() {
        List<Candidate> forward = List.of(fwd(cudnnConvolutionFwdAlgo.CUDNN_CONVOLUTION_FWD_ALGO_FFT, FMA),
                fwd(cudnnConvolutionFwdAlgo.CUDNN_CONVOLUTION_FWD_ALGO_WINOGRAD, FMA),
                fwd(cudnnConvolutionFwdAlgo.CUDNN_CONVOLUTION_FWD_ALGO_FFT_TILING, FMA),
                fwd(cudnnConvolutionFwdAlgo.CUDNN_CONVOLUTION_FWD_ALGO_WINOGRAD_NONFUSED, FMA),
                fwd(cudnnConvolutionFwdAlgo.CUDNN_CONVOLUTION_FWD_ALGO_GEMM, FMA));
        assertEquals(List.of(2, 0), algorithms(ConvAlgorithms.ranked(Pass.FORWARD, forward, MathMode.FP32, LIMIT)));
        assertEquals(List.of(4, 6, 5, 7, 2, 0), algorithms(ConvAlgorithms.ranked(Pass.FORWARD, forward, MathMode.TF32, LIMIT)));
        List<Candidate> backward = List.of(fwd(cudnnConvolutionBwdDataAlgo.CUDNN_CONVOLUTION_BWD_DATA_ALGO_WINOGRAD_NONFUSED, FMA),
                fwd(cudnnConvolutionBwdDataAlgo.CUDNN_CONVOLUTION_BWD_DATA_ALGO_FFT_TILING, FMA),
                fwd(cudnnConvolutionBwdDataAlgo.CUDNN_CONVOLUTION_BWD_DATA_ALGO_1, FMA));
        assertEquals(List.of(1), algorithms(ConvAlgorithms.ranked(Pass.BACKWARD_DATA, backward, MathMode.FP32, LIMIT)));
        assertEquals(List.of(5, 3, 1), algorithms(ConvAlgorithms.ranked(Pass.BACKWARD_DATA, backward, MathMode.TF32, LIMIT)));
    }

    @Test
    void failedNonDeterministicAndOversizedCandidatesAreDropped() {
        List<Candidate> offered = List.of(
                new Candidate(2, 3000, DET, FMA, 0), // NOT_SUPPORTED (cuDNN 9's number)
                new Candidate(1, 0, cudnnDeterminism.CUDNN_NON_DETERMINISTIC, FMA, 0),
                new Candidate(1, 0, DET, FMA, LIMIT + 1),
                new Candidate(2, 0, DET, FMA, LIMIT),
                new Candidate(2, 0, DET, FMA, 0)); // listed twice: kept once
        assertEquals(List.of(2, 0), algorithms(ConvAlgorithms.ranked(Pass.FORWARD, offered, MathMode.FP32, LIMIT)));
        assertEquals(LIMIT, ConvAlgorithms.ranked(Pass.FORWARD, offered, MathMode.FP32, LIMIT).get(0).memory(),
                "the first offer of an algorithm is kept, with the workspace it reported");
    }

    @Test
    void backwardDataAlgorithmZeroIsNeverUsedEvenIfReportedDeterministic() {
        List<Candidate> offered = List.of(fwd(cudnnConvolutionBwdDataAlgo.CUDNN_CONVOLUTION_BWD_DATA_ALGO_0, FMA));
        assertEquals(List.of(1), algorithms(ConvAlgorithms.ranked(Pass.BACKWARD_DATA, offered, MathMode.FP32, LIMIT)));
        assertEquals(List.of(1), algorithms(ConvAlgorithms.ranked(Pass.BACKWARD_DATA, offered, MathMode.TF32, LIMIT)));
    }

    @Test
    void whenNothingIsUsableTheLastResortRemains() {
        assertEquals(List.of(cudnnConvolutionFwdAlgo.CUDNN_CONVOLUTION_FWD_ALGO_IMPLICIT_GEMM),
                algorithms(ConvAlgorithms.ranked(Pass.FORWARD, List.of(), MathMode.FP32, LIMIT)));
        assertEquals(List.of(cudnnConvolutionBwdDataAlgo.CUDNN_CONVOLUTION_BWD_DATA_ALGO_1),
                algorithms(ConvAlgorithms.ranked(Pass.BACKWARD_DATA, List.of(fwd(1, TENSOR)), MathMode.FP32, LIMIT)));
        assertEquals("IMPLICIT_PRECOMP_GEMM", ConvAlgorithms.name(Pass.FORWARD, 1));
        assertEquals("ALGO_1", ConvAlgorithms.name(Pass.BACKWARD_DATA, 1));
    }
}
