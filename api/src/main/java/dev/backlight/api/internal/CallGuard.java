package dev.backlight.api.internal;

import java.util.concurrent.atomic.AtomicReference;

/**
 * The one-call-at-a-time check a {@link CompiledModel} implementation needs (see its contract):
 * every call {@link #enter}s and {@link #exit}s; a call that finds another one inside (another
 * thread's, or a rule re-entering the model) gets an {@link IllegalStateException} at once that
 * names both. It is one compare-and-set per call, not a lock: nothing ever waits.
 *
 * <p>{@link #close()} marks the guard closed; whichever of {@code close} and the last
 * {@code exit} comes second runs the release action, so a model closed while a call is in flight
 * frees its resources when that call leaves, never under it.
 */
public final class CallGuard {
    private final String modelDescription;
    private final Runnable release;
    private final AtomicReference<Thread> owner = new AtomicReference<>();
    private volatile String ownerOperation;
    private volatile boolean closed;
    private boolean released;

    /**
     * @param modelDescription what the messages call the model, e.g. "the model of graph densenet201"
     * @param release frees the model's resources; runs once, on the thread that closes or leaves last
     */
    public CallGuard(String modelDescription, Runnable release) {
        this.modelDescription = modelDescription;
        this.release = release;
    }

    /**
     * Takes the model for one call.
     *
     * @throws IllegalStateException if another call holds it, or it is closed
     */
    public void enter(String operation) {
        Thread me = Thread.currentThread();
        if (!owner.compareAndSet(null, me)) {
            if (closed) {
                throw new IllegalStateException("this compiled model is closed");
            }
            Thread other = owner.get();
            String running = ownerOperation == null ? "a call" : ownerOperation;
            String who = other == me ? "this same thread (a rule or callback re-entered the model)"
                    : other == null ? "another thread (it has just finished)" : "thread '" + other.getName() + "'";
            throw new IllegalStateException("CompiledModel." + operation + " called on thread '" + me.getName()
                    + "' while " + who + " is running " + running + " on " + modelDescription
                    + "; a compiled model runs one call at a time: compile one model per thread,"
                    + " or share a dev.backlight.api.backend.ModelPool");
        }
        ownerOperation = operation;
        if (closed) {
            exit();
            throw new IllegalStateException("this compiled model is closed");
        }
    }

    /** Ends a call; releases the model if it was closed meanwhile. */
    public void exit() {
        ownerOperation = null;
        owner.set(null);
        if (closed) {
            releaseIfIdle();
        }
    }

    /** True once {@link #close()} was called. */
    public boolean isClosed() {
        return closed;
    }

    /**
     * Closes the guard: later calls throw; the release action runs now, or when the call in
     * flight exits. Returns false if it was already closed.
     */
    public boolean close() {
        synchronized (this) {
            if (closed) {
                return false;
            }
            closed = true;
        }
        releaseIfIdle();
        return true;
    }

    private void releaseIfIdle() {
        if (owner.compareAndSet(null, Thread.currentThread())) {
            try {
                boolean first;
                synchronized (this) {
                    first = !released;
                    released = true;
                }
                if (first) {
                    release.run();
                }
            } finally {
                owner.set(null);
            }
        }
    }
}
