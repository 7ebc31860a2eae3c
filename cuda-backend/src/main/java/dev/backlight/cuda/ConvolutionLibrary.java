package dev.backlight.cuda;

import java.util.List;

/**
 * The library calls behind one model's convolutions: cuDNN on a GPU ({@link CudnnConvolutions}),
 * a host simulation in tests. {@link ConvolutionRunner} chooses the algorithms and manages the
 * workspace around them; this only asks and runs.
 *
 * <p>{@code input} is the convolution's input side ({@code x}, or {@code dx} backward) and
 * {@code output} its output side ({@code y}, or {@code dy}), as in {@link ConvAlgorithms.Geometry}.
 */
interface ConvolutionLibrary extends AutoCloseable {
    /**
     * cuDNN's candidates for a geometry at a batch, fastest first: measured
     * ({@code cudnnFind…}) or from its heuristics ({@code cudnnGet…_v7}).
     *
     * @return the candidates, or an empty list if the call failed
     */
    List<ConvAlgorithms.Candidate> candidates(ConvAlgorithms.Geometry g, Device.View input, Device.View output, int batch, boolean measured);

    /**
     * The workspace an algorithm needs for a geometry at a batch ({@code cudnnGet…WorkspaceSize}).
     *
     * @throws AlgorithmRefusedException if cuDNN does not support the algorithm there
     */
    long workspaceSize(ConvAlgorithms.Geometry g, Device.View input, Device.View output, int batch, int algorithm);

    /**
     * {@code y = conv(x)} with the given algorithm and workspace.
     *
     * @throws AlgorithmRefusedException if cuDNN refused the algorithm (nothing ran)
     */
    void forward(Device.Conv conv, int algorithm, long weight, Device.View x, Device.View y, int batch, long workspace, long workspaceBytes);

    /**
     * {@code dx += convᵀ(dy)} with the given algorithm and workspace.
     *
     * @throws AlgorithmRefusedException if cuDNN refused the algorithm (nothing ran)
     */
    void backwardData(Device.Conv conv, int algorithm, long weight, Device.View dy, Device.View dx, int batch, long workspace,
                      long workspaceBytes);

    /** Frees descriptors and the like (not the workspace, which the runner owns). */
    @Override
    void close();
}
