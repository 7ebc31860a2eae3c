package dev.backlight.api.backend;

import dev.backlight.api.BacklightException;
import dev.backlight.api.Tensor;
import dev.backlight.api.Weights;
import dev.backlight.api.graph.Graph;
import dev.backlight.api.internal.Failures;
import dev.backlight.api.method.Attribution;
import dev.backlight.api.method.AttributionMethod;
import dev.backlight.api.method.Target;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CancellationException;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A thread-safe way to use one backend from many threads: up to {@code size} compiled models of
 * one graph, each lent to one caller at a time.
 *
 * <p>A {@link CompiledModel} may be used by one thread at a time only; this pool is the remedy when
 * several threads explain images at once. Models are compiled lazily, the first time no idle
 * model is left and fewer than {@code size} exist (compilation happens outside the pool's lock, so
 * several threads may compile at once). {@link #attribute} borrows a model exclusively, blocking
 * while all {@code size} are busy, runs the method on it and gives it back. Results do not depend
 * on which model ran them.
 *
 * <p>Ownership: the pool owns the models it compiled, not the backend, graph or weights (which
 * must stay usable while the pool is). {@link #close()} closes the idle models at once and each
 * borrowed one when its call returns; it is idempotent, does not wait for calls in flight, and
 * makes every later or waiting call throw {@link IllegalStateException}. A model whose call failed
 * with anything other than a caller mistake ({@link IllegalArgumentException}) or a
 * {@link BacklightException} is closed and replaced by a fresh one on demand, so that a broken model
 * is never lent again.
 */
public final class ModelPool implements AutoCloseable {
    private final Backend backend;
    private final Graph graph;
    private final Weights weights;
    private final CompileOptions options;
    private final int size;

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition modelReturned = lock.newCondition();
    /** Idle models, the most recently returned first (its buffers are the likeliest to be cached). */
    private final Deque<CompiledModel> idle = new ArrayDeque<>();
    /** Models compiled or being compiled and not yet closed: idle, borrowed or in compilation. */
    private int live;
    private boolean closed;

    /**
     * A pool of at most {@code size} models of {@code graph} with {@code weights}, compiled on
     * {@code backend} with {@code options} when first needed.
     *
     * @throws IllegalArgumentException if {@code size < 1}
     */
    public ModelPool(Backend backend, Graph graph, Weights weights, CompileOptions options, int size) {
        if (size < 1) {
            throw new IllegalArgumentException("a model pool needs a size of at least 1, got " + size);
        }
        this.backend = Objects.requireNonNull(backend, "backend");
        this.graph = Objects.requireNonNull(graph, "graph");
        this.weights = Objects.requireNonNull(weights, "weights");
        this.options = Objects.requireNonNull(options, "options");
        this.size = size;
    }

    /** The most models this pool compiles. */
    public int size() {
        return size;
    }

    /** How many models exist now (compiled, or being compiled, and not closed); at most {@link #size()}. */
    public int compiled() {
        lock.lock();
        try {
            return live;
        } finally {
            lock.unlock();
        }
    }

    /** Whether a call is waiting for a model; for tests. */
    boolean hasWaiters() {
        lock.lock();
        try {
            return lock.hasWaiters(modelReturned);
        } finally {
            lock.unlock();
        }
    }

    /**
     * Runs {@code method} on {@code input} with a model lent to this call alone, waiting while every
     * model is busy; thread-safe.
     *
     * @return what {@link AttributionMethod#attribute} returns; owned by the caller
     * @throws IllegalStateException if the pool is closed, or closes while this call waits
     * @throws IllegalArgumentException if the method observes a node the pool's options do not
     *     (compile the pool with {@link CompileOptions#observing}), or as the method throws it
     * @throws CancellationException if the thread is interrupted while waiting for a model (the
     *     interrupt flag stays set)
     * @throws dev.backlight.api.WeightsFormatException if compiling a model fails for its weights
     */
    public Attribution attribute(AttributionMethod method, Tensor input, Target target) {
        Objects.requireNonNull(method, "method");
        if (!options.observedNodes().containsAll(method.observedNodes())) {
            Set<String> missing = new TreeSet<>(method.observedNodes());
            missing.removeAll(options.observedNodes());
            throw new IllegalArgumentException("method " + method.id() + " observes nodes " + missing + " that this"
                    + " pool's models do not; create the pool with CompileOptions.observing(...) naming them");
        }
        CompiledModel model = borrow();
        boolean reusable = false;
        try {
            Attribution result = method.attribute(model, input, target);
            reusable = true;
            return result;
        } catch (IllegalArgumentException | BacklightException e) {
            reusable = true; // a caller mistake or a refused input; the model itself is intact
            throw e;
        } finally {
            giveBack(model, reusable);
        }
    }

    private CompiledModel borrow() {
        lock.lock();
        try {
            while (true) {
                requireOpen();
                CompiledModel model = idle.pollFirst();
                if (model != null) {
                    return model;
                }
                if (live < size) {
                    live++;
                    break;
                }
                try {
                    modelReturned.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    CancellationException cancelled = new CancellationException(
                            "interrupted while waiting for one of the " + size + " models of this pool");
                    cancelled.initCause(e);
                    throw cancelled;
                }
            }
        } finally {
            lock.unlock();
        }
        CompiledModel compiled = null;
        try {
            compiled = backend.compile(graph, weights, options);
            return compiled;
        } finally {
            if (compiled == null) {
                release();
            }
        }
    }

    /** Returns a model to the idle set, or closes it if it is broken or the pool is closed. */
    private void giveBack(CompiledModel model, boolean reusable) {
        boolean keep;
        lock.lock();
        try {
            keep = reusable && !closed;
            if (keep) {
                idle.addFirst(model);
                modelReturned.signal();
            }
        } finally {
            lock.unlock();
        }
        if (!keep) {
            try {
                model.close();
            } finally {
                release();
            }
        }
    }

    /** Forgets one live model (closed or never compiled) and wakes a waiter that may compile anew. */
    private void release() {
        lock.lock();
        try {
            live--;
            modelReturned.signal();
        } finally {
            lock.unlock();
        }
    }

    private void requireOpen() {
        if (closed) {
            throw new IllegalStateException("this model pool is closed; create a new ModelPool");
        }
    }

    /**
     * Closes every idle model now and each borrowed model when its call returns; idempotent. Calls
     * waiting for a model fail with {@link IllegalStateException}. If closing models fails, the
     * first failure is thrown after all were closed, the others added as suppressed.
     */
    @Override
    public void close() {
        List<CompiledModel> toClose;
        lock.lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            toClose = new ArrayList<>(idle);
            live -= idle.size();
            idle.clear();
            modelReturned.signalAll();
        } finally {
            lock.unlock();
        }
        RuntimeException failure = null;
        for (CompiledModel m : toClose) {
            try {
                m.close();
            } catch (RuntimeException e) {
                failure = Failures.add(failure, e);
            }
        }
        if (failure != null) {
            throw failure;
        }
    }
}
