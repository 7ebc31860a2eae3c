package dev.backlight.cuda;

import dev.backlight.api.Weights;
import dev.backlight.api.WeightsCheck;
import dev.backlight.api.backend.Backend;
import dev.backlight.api.backend.CompileOptions;
import dev.backlight.api.backend.CompiledModel;
import dev.backlight.api.backend.DeviceMemoryReporter;
import dev.backlight.api.graph.Graph;
import dev.backlight.api.internal.Failures;
import dev.backlight.api.internal.plan.GraphPlan;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;

/**
 * The CUDA backend: one GPU's primary context, our kernels loaded once, and the models compiled on
 * it, each with its own stream and cuDNN/cuBLAS handles so that models on different threads run
 * concurrently.
 *
 * <p>Thread-safe. {@link #close()} closes the models still open (with a warning: a model left
 * open is a leak in the caller), then checks the memory ledger: any device allocation still live
 * is a leak in Backlight, logged with its label and size, freed, and counted in
 * {@link #leaksAtClose()}.
 */
public final class CudaBackend implements Backend, DeviceMemoryReporter {
    private static final System.Logger LOG = System.getLogger(CudaBackend.class.getName());

    private final DeviceSource source;
    private final Set<CudaModel> models = Collections.newSetFromMap(new IdentityHashMap<>());
    private boolean closed;
    private List<MemoryLedger.Allocation> leaks = List.of();

    CudaBackend(DeviceSource source) {
        this.source = source;
    }

    @Override
    public String name() {
        return CudaBackendProvider.NAME;
    }

    /** The GPU, driver, libraries, math mode and algorithm search, in one line. */
    public String describe() {
        return source.describe();
    }

    /**
     * The convolution algorithms chosen so far, such as
     * {@code 212 searches; {backward-data ALGO_1=106, forward IMPLICIT_PRECOMP_GEMM=106}}.
     */
    public String algorithmSummary() {
        return source.algorithms().summary();
    }

    /** The algorithm cache of this backend's models (tests look inside). */
    AlgorithmCache algorithms() {
        return source.algorithms();
    }

    @Override
    public CompiledModel compile(Graph graph, Weights weights, CompileOptions options) {
        requireOpen();
        WeightsCheck.requireUsable(graph, weights);
        GraphPlan plan = new GraphPlan(graph, weights, options.observedNodes());
        CudaModel[] self = new CudaModel[1];
        Device device = source.open();
        self[0] = new CudaModel(plan, device, () -> {
            synchronized (this) {
                models.remove(self[0]);
            }
        });
        synchronized (this) {
            if (closed) {
                self[0].close();
                throw new IllegalStateException("this CUDA backend is closed");
            }
            models.add(self[0]);
        }
        return self[0];
    }

    private synchronized void requireOpen() {
        if (closed) {
            throw new IllegalStateException("this CUDA backend is closed");
        }
    }

    @Override
    public long deviceBytesHeld() {
        return source.ledger().heldBytes();
    }

    @Override
    public long deviceBytesPeak() {
        return source.ledger().peakBytes();
    }

    @Override
    public void resetDevicePeak() {
        source.ledger().resetPeak();
    }

    /** The allocations found live when this backend closed (empty unless Backlight leaked). */
    public synchronized List<String> leaksAtClose() {
        return leaks.stream().map(a -> a.label() + " (" + a.bytes() + " bytes)").toList();
    }

    @Override
    public void close() {
        CudaModel[] open;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            open = models.toArray(new CudaModel[0]);
        }
        if (open.length > 0) {
            LOG.log(System.Logger.Level.WARNING, "closing the CUDA backend: " + open.length + " compiled model"
                    + (open.length == 1 ? " was" : "s were") + " still open and " + (open.length == 1 ? "is" : "are")
                    + " closed now; close each CompiledModel (try-with-resources) when done with it");
        }
        RuntimeException first = null;
        for (CudaModel m : open) {
            try {
                m.close();
            } catch (RuntimeException e) {
                first = Failures.add(first, e);
            }
        }
        synchronized (this) {
            if (!models.isEmpty()) {
                // A call was in flight on another thread: its model frees its memory when the call
                // returns, so neither the ledger nor the context can be settled now.
                LOG.log(System.Logger.Level.WARNING, "closing the CUDA backend while " + models.size()
                        + " model(s) are still running a call on another thread; their device memory and the context"
                        + " are released when those calls return or the process ends");
                if (first != null) {
                    throw first;
                }
                return;
            }
        }
        List<MemoryLedger.Allocation> left = source.ledger().outstanding();
        if (!left.isEmpty()) {
            LOG.log(System.Logger.Level.ERROR, "device memory leak in the CUDA backend, freed at close: " + MemoryLedger.describe(left));
            for (MemoryLedger.Allocation a : left) {
                source.ledger().recordFree(a.address());
                source.freeLeaked(a.address());
            }
        }
        synchronized (this) {
            leaks = left;
        }
        try {
            source.close();
        } catch (RuntimeException e) {
            first = Failures.add(first, e);
        }
        if (first != null) {
            throw first;
        }
    }
}
