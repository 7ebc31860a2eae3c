package dev.backlight.cuda;

import dev.backlight.api.internal.Failures;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * One model's convolutions: the algorithm from the backend's {@link AlgorithmCache} (searched
 * once per geometry with the backend's {@link AlgorithmSearch}, about {@link #SEARCH_BATCH}
 * images whatever batch runs, ranked by {@link ConvAlgorithms}), the workspace it needs at this
 * batch, and the next candidate when cuDNN refuses one where it runs. Not thread-safe: its model
 * calls it from one thread at a time.
 *
 * <p>Workspace: the larger of what {@code cudnnGet…WorkspaceSize} says for the algorithm at this
 * batch and what the search reported (the heuristics' figure alone is not a promise), in one
 * allocation that grows to the largest need. An allocation that fails is a
 * {@link DeviceOutOfMemoryException}, on which the model halves its batch.
 */
final class ConvolutionRunner implements AutoCloseable {
    /**
     * The batch cuDNN is asked about: fixed, so that the choice depends on the geometry alone
     * (the batch size the command line uses on a GPU by default).
     */
    static final int SEARCH_BATCH = 32;
    /**
     * The most workspace a candidate may report at {@link #SEARCH_BATCH}: fixed rather than a
     * share of the free memory, so that the choice does not depend on what else holds memory.
     */
    static final long WORKSPACE_LIMIT = 256L << 20;

    private record WorkspaceKey(ConvAlgorithms.Geometry geometry, int batch, int algorithm) {
    }

    private final ConvolutionLibrary library;
    private final AlgorithmCache cache;
    private final CudaSettings settings;
    private final Device memory;
    private final Map<WorkspaceKey, Long> workspaceSizes = new HashMap<>();
    private long workspace;
    private long workspaceBytes;

    /**
     * @param memory where the workspace is allocated and freed (the model's device)
     */
    ConvolutionRunner(ConvolutionLibrary library, AlgorithmCache cache, CudaSettings settings, Device memory) {
        this.library = library;
        this.cache = cache;
        this.settings = settings;
        this.memory = memory;
    }

    void forward(Device.Conv conv, long weight, Device.View x, Device.View y, int batch) {
        ConvAlgorithms.Geometry g = ConvAlgorithms.Geometry.of(ConvAlgorithms.Pass.FORWARD, conv, x, y);
        ConvAlgorithms.Candidate c = cache.algorithm(g, batch, searchBatch(x, y), b -> search(g, x, y, b));
        while (true) {
            try {
                long bytes = workspaceBytes(g, x, y, batch, c.algorithm());
                library.forward(conv, c.algorithm(), weight, x, y, batch, workspace(bytes), bytes);
                return;
            } catch (AlgorithmRefusedException e) {
                c = cache.refuse(g, c.algorithm(), e.getMessage());
            }
        }
    }

    void backwardData(Device.Conv conv, long weight, Device.View dy, Device.View dx, int batch) {
        ConvAlgorithms.Geometry g = ConvAlgorithms.Geometry.of(ConvAlgorithms.Pass.BACKWARD_DATA, conv, dx, dy);
        ConvAlgorithms.Candidate c = cache.algorithm(g, batch, searchBatch(dx, dy), b -> search(g, dx, dy, b));
        while (true) {
            try {
                long bytes = workspaceBytes(g, dx, dy, batch, c.algorithm());
                library.backwardData(conv, c.algorithm(), weight, dy, dx, batch, workspace(bytes), bytes);
                return;
            } catch (AlgorithmRefusedException e) {
                c = cache.refuse(g, c.algorithm(), e.getMessage());
            }
        }
    }

    /** {@link #SEARCH_BATCH}, or fewer where that many images would make a tensor larger than the device takes. */
    private int searchBatch(Device.View input, Device.View output) {
        long widest = Math.max(input.imageStride(), output.imageStride());
        return (int) Math.max(1, Math.min(SEARCH_BATCH, memory.maxTensorElements() / Math.max(1, widest)));
    }

    /** The usable candidates for a geometry, best first: measured if asked for and possible, else heuristics. */
    private List<ConvAlgorithms.Candidate> search(ConvAlgorithms.Geometry g, Device.View input, Device.View output, int batch) {
        long limit = WORKSPACE_LIMIT;
        if (settings.algorithms() == AlgorithmSearch.FIND) {
            List<ConvAlgorithms.Candidate> measured = library.candidates(g, input, output, batch, true);
            if (measured.stream().anyMatch(c -> ConvAlgorithms.usable(g.pass(), c, settings.math(), limit))) {
                return ConvAlgorithms.ranked(g.pass(), measured, settings.math(), limit);
            }
        }
        return ConvAlgorithms.ranked(g.pass(), library.candidates(g, input, output, batch, false), settings.math(), limit);
    }

    private long workspaceBytes(ConvAlgorithms.Geometry g, Device.View input, Device.View output, int batch, int algorithm) {
        WorkspaceKey key = new WorkspaceKey(g, batch, algorithm);
        Long known = workspaceSizes.get(key);
        if (known != null) {
            return known;
        }
        long bytes = Math.max(library.workspaceSize(g, input, output, batch, algorithm), cache.reportedWorkspace(g, algorithm, batch));
        workspaceSizes.put(key, bytes);
        return bytes;
    }

    /** The workspace, grown to at least {@code bytes} (0 when none is needed). */
    private long workspace(long bytes) {
        if (bytes <= workspaceBytes) {
            return workspace;
        }
        if (workspace != 0) {
            memory.free(workspace); // waits for the queued work that may still use it
            workspace = 0;
            workspaceBytes = 0;
        }
        workspace = memory.allocate(bytes, "cuDNN workspace");
        workspaceBytes = bytes;
        return workspace;
    }

    @Override
    public void close() {
        RuntimeException first = null;
        try {
            if (workspace != 0) {
                memory.free(workspace);
                workspace = 0;
                workspaceBytes = 0;
            }
        } catch (RuntimeException e) {
            first = e;
        }
        try {
            library.close();
        } catch (RuntimeException e) {
            first = Failures.add(first, e);
        }
        if (first != null) {
            throw first;
        }
    }
}
