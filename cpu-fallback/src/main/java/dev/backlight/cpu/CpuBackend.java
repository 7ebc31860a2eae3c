package dev.backlight.cpu;

import dev.backlight.api.Weights;
import dev.backlight.api.WeightsCheck;
import dev.backlight.api.backend.Backend;
import dev.backlight.api.backend.CompileOptions;
import dev.backlight.api.backend.CompiledModel;
import dev.backlight.api.graph.Graph;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Set;

/**
 * The pure-Java backend: owns a pool of worker threads shared by the models it compiles. Results
 * are bit-identical for every thread count.
 *
 * <p>Thread-safe. {@link #close()} closes the models still open, says so in a
 * {@link System.Logger.Level#WARNING} on the logger named after this class (a model left open is
 * a leak in the caller), and stops the worker threads, waiting for them to end.
 */
public final class CpuBackend implements Backend {
    private static final System.Logger LOG = System.getLogger(CpuBackend.class.getName());

    private final Workers workers;
    private final Set<CpuModel> models = Collections.newSetFromMap(new IdentityHashMap<>());
    private boolean closed;

    /** A backend with {@code threads} workers (at least 1). */
    public CpuBackend(int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be at least 1, got " + threads);
        }
        this.workers = new Workers(threads);
    }

    @Override
    public String name() {
        return CpuBackendProvider.NAME;
    }

    /** The number of worker threads. */
    public int threads() {
        return workers.threads();
    }

    /** This backend's workers (the JIT warm-up tells its own passes from real work by them). */
    Workers workers() {
        return workers;
    }

    /** The name prefix of this backend's worker threads; for tests that check none survives close. */
    String threadNamePrefix() {
        return workers.namePrefix();
    }

    @Override
    public CompiledModel compile(Graph graph, Weights weights, CompileOptions options) {
        requireOpen();
        // Planning copies every weight; it runs outside the lock so that threads compile in parallel.
        WeightsCheck.requireUsable(graph, weights);
        ExecutionPlan plan = new ExecutionPlan(graph, weights, options.observedNodes());
        CpuModel[] self = new CpuModel[1];
        self[0] = new CpuModel(plan, workers, () -> {
            synchronized (this) {
                models.remove(self[0]);
            }
        });
        synchronized (this) {
            requireOpen();
            models.add(self[0]);
        }
        return self[0];
    }

    private synchronized void requireOpen() {
        if (closed) {
            throw new IllegalStateException("this CPU backend is closed");
        }
    }

    @Override
    public void close() {
        CpuModel[] open;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            open = models.toArray(new CpuModel[0]);
        }
        if (open.length > 0) {
            LOG.log(System.Logger.Level.WARNING, "closing the CPU backend: " + open.length + " compiled model"
                    + (open.length == 1 ? " was" : "s were") + " still open and " + (open.length == 1 ? "is" : "are")
                    + " closed now; close each CompiledModel (try-with-resources) when done with it");
        }
        for (CpuModel m : open) {
            m.close();
        }
        workers.close();
        if (StepProfile.ENABLED) {
            LOG.log(System.Logger.Level.INFO, StepProfile.report());
        }
    }
}
