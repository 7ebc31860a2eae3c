package dev.backlight.cpu;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.function.IntConsumer;

/**
 * The CPU backend's worker threads. Work is split into numbered tasks whose outputs never overlap
 * and whose arithmetic does not depend on which thread runs them, so results are bit-identical
 * for any thread count.
 *
 * <p>A call's tasks are claimed in runs of consecutive indices by the calling thread and by
 * {@code threads - 1} helper threads alike: the caller works instead of waiting, and when the
 * helpers are slow to wake it simply claims more itself. Helpers spin briefly after each call
 * before they park, so the many short calls of one pass (a DenseNet pass makes some 800) find them
 * awake. One call at a time uses the helpers; a call that finds them taken (another model of the
 * same backend, on another thread) runs all its tasks on its own thread, as does a call made from
 * inside a task, or after {@link #close()}.
 *
 * <p>Helper threads are named {@code backlight-cpu-<pool>-<index>}, {@code <pool>} numbering the
 * pools of this JVM, so that a leak can be traced to its backend.
 */
final class Workers implements AutoCloseable {
    /** Prefix of every worker thread's name. */
    static final String THREAD_PREFIX = "backlight-cpu-";
    /** How long {@link #close()} waits for the threads to end; tasks are short, so this is generous. */
    private static final long TERMINATION_SECONDS = 10;
    /**
     * Below this many elements of work a call runs on its own thread: waking a helper and handing
     * over the cache lines costs more (measured on the 2-core Zen 5 VM: a few µs when the helper
     * spins, tens when it is parked; an element-wise pass does about 1 to 4 elements a nanosecond).
     */
    static final int INLINE_ELEMENTS = 16_384;
    /** Runs claimed at once hold at least this many elements, so that claiming stays cheap. */
    private static final int CHUNK_ELEMENTS = 4_096;
    /** Runs per thread a call is cut into, at most: enough to even out a late or slow thread. */
    private static final int CHUNKS_PER_THREAD = 4;
    /** How long an idle helper spins before it parks. */
    private static final long HELPER_SPIN_NANOS = TimeUnit.MICROSECONDS.toNanos(200);
    /** How long a caller whose last tasks run on helpers spins before it parks. */
    private static final long CALLER_SPIN_NANOS = TimeUnit.MICROSECONDS.toNanos(50);
    private static final AtomicInteger POOLS = new AtomicInteger();

    private final int threads;
    private final String namePrefix;
    private final Helper[] helpers;
    /** The call the helpers work on, or null. */
    private final AtomicReference<Call> current = new AtomicReference<>();
    private volatile boolean closed;

    Workers(int threads) {
        this.threads = threads;
        this.namePrefix = THREAD_PREFIX + POOLS.incrementAndGet() + "-";
        this.helpers = new Helper[threads - 1];
        for (int i = 0; i < helpers.length; i++) {
            helpers[i] = new Helper(namePrefix + (i + 1));
            helpers[i].thread.start();
        }
    }

    /** The name prefix of this pool's threads, {@code backlight-cpu-<pool>-}. */
    String namePrefix() {
        return namePrefix;
    }

    int threads() {
        return threads;
    }

    /**
     * Runs {@code body.accept(t)} for every t in [0, tasks), in parallel, and returns when all have
     * run. Each task may be worth a thread of its own (a GEMM block, say). If a task throws, the
     * tasks not yet started are skipped and the first exception is rethrown here.
     */
    void run(int tasks, IntConsumer body) {
        runClaimed(tasks, 1, body);
    }

    /**
     * As {@link #run(int, IntConsumer)} for tasks of about {@code elementsPerTask} elements of
     * element-wise work each (a channel's plane, say): all on this thread when the whole is small,
     * else in runs of consecutive tasks big enough to be worth claiming.
     */
    void run(int tasks, int elementsPerTask, IntConsumer body) {
        long elements = (long) tasks * Math.max(1, elementsPerTask);
        if (elements < INLINE_ELEMENTS) {
            runHere(0, tasks, body);
            return;
        }
        runClaimed(tasks, ceilDiv(CHUNK_ELEMENTS, Math.max(1, elementsPerTask)), body);
    }

    /** Runs the tasks in runs of at least {@code minChunk}, claimed by this thread and the helpers. */
    private void runClaimed(int tasks, int minChunk, IntConsumer body) {
        if (tasks <= 0) {
            return;
        }
        if (helpers.length == 0 || tasks == 1 || closed) {
            runHere(0, tasks, body);
            return;
        }
        int chunk = Math.max(minChunk, ceilDiv(tasks, threads * CHUNKS_PER_THREAD));
        if (chunk >= tasks) {
            runHere(0, tasks, body);
            return;
        }
        Call call = new Call(body, tasks, chunk, Thread.currentThread());
        if (!current.compareAndSet(null, call)) {
            runHere(0, tasks, body);
            return;
        }
        try {
            for (Helper h : helpers) {
                if (h.parked) {
                    LockSupport.unpark(h.thread);
                }
            }
            call.work();
            call.awaitDone();
        } finally {
            current.set(null);
        }
        call.rethrow();
    }

    private static void runHere(int from, int to, IntConsumer body) {
        for (int t = from; t < to; t++) {
            body.accept(t);
        }
    }

    /**
     * Stops the helper threads and waits for them to end; a helper inside a task finishes that task
     * first, and a call still running finishes its other tasks on its own thread. If interrupted
     * while waiting, returns at once with the interrupt flag set.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        for (Helper h : helpers) {
            LockSupport.unpark(h.thread);
        }
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(TERMINATION_SECONDS);
            boolean ended = true;
            for (Helper h : helpers) {
                h.thread.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
                ended &= !h.thread.isAlive();
            }
            if (!ended) {
                System.getLogger(Workers.class.getName()).log(System.Logger.Level.WARNING,
                        "CPU worker threads " + namePrefix + "* still running " + TERMINATION_SECONDS
                                + " s after shutdown; is a task stuck in a custom rule?");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static int ceilDiv(int x, int y) {
        return (x + y - 1) / y;
    }

    /** One call's tasks, claimed in runs of {@code chunk} by whichever thread comes. */
    private static final class Call {
        final IntConsumer body;
        final int tasks;
        final int chunk;
        final Thread caller;
        /** The first task nobody has claimed yet (may run past {@code tasks}). */
        final AtomicInteger claimed = new AtomicInteger();
        final AtomicInteger finished = new AtomicInteger();
        /** The first exception a task threw; later tasks are skipped. */
        final AtomicReference<Throwable> failure = new AtomicReference<>();

        Call(IntConsumer body, int tasks, int chunk, Thread caller) {
            this.body = body;
            this.tasks = tasks;
            this.chunk = chunk;
            this.caller = caller;
        }

        boolean unclaimed() {
            return claimed.get() < tasks;
        }

        /** Claims and runs runs of tasks until none is left. */
        void work() {
            while (unclaimed()) {
                int from = claimed.getAndAdd(chunk);
                if (from >= tasks) {
                    return;
                }
                int to = Math.min(tasks, from + chunk);
                if (failure.get() == null) {
                    try {
                        runHere(from, to, body);
                    } catch (Throwable e) {
                        failure.compareAndSet(null, e);
                    }
                }
                if (finished.addAndGet(to - from) == tasks && Thread.currentThread() != caller) {
                    LockSupport.unpark(caller);
                }
            }
        }

        /** Waits (spinning briefly, then parked) until every task has run. */
        void awaitDone() {
            long spinUntil = System.nanoTime() + CALLER_SPIN_NANOS;
            while (finished.get() < tasks) {
                if (System.nanoTime() < spinUntil) {
                    Thread.onSpinWait();
                } else {
                    LockSupport.park(this);
                }
            }
        }

        void rethrow() {
            Throwable e = failure.get();
            if (e instanceof RuntimeException r) {
                throw r;
            }
            if (e instanceof Error err) {
                throw err;
            }
            if (e != null) {
                throw new IllegalStateException("a CPU worker task failed: " + e, e);
            }
        }
    }

    /** A helper thread: works on the current call, spins a while when there is none, then parks. */
    private final class Helper implements Runnable {
        final Thread thread;
        /** Set before parking, so that a caller knows to unpark this helper. */
        volatile boolean parked;

        Helper(String name) {
            thread = new Thread(this, name);
            thread.setDaemon(true);
        }

        @Override
        public void run() {
            long idleSince = System.nanoTime();
            while (!closed) {
                Call call = current.get();
                if (call != null && call.unclaimed()) {
                    call.work();
                    idleSince = System.nanoTime();
                } else if (System.nanoTime() - idleSince < HELPER_SPIN_NANOS) {
                    Thread.onSpinWait();
                } else {
                    // Set the flag, then look again: a caller publishes its call, then reads the flag.
                    parked = true;
                    call = current.get();
                    if (!closed && (call == null || !call.unclaimed())) {
                        LockSupport.park(this);
                    }
                    parked = false;
                    idleSince = System.nanoTime();
                }
            }
        }
    }
}
