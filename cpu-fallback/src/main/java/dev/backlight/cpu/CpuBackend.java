package dev.backlight.cpu;

import dev.backlight.api.Weights;
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
 */
public final class CpuBackend implements Backend {
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

    @Override
    public synchronized CompiledModel compile(Graph graph, Weights weights, CompileOptions options) {
        if (closed) {
            throw new IllegalStateException("this CPU backend is closed");
        }
        ExecutionPlan plan = new ExecutionPlan(graph, weights, options.observedNodes());
        CpuModel[] self = new CpuModel[1];
        self[0] = new CpuModel(plan, workers, () -> {
            synchronized (this) {
                models.remove(self[0]);
            }
        });
        models.add(self[0]);
        return self[0];
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
        for (CpuModel m : open) {
            m.close();
        }
        workers.close();
    }
}
