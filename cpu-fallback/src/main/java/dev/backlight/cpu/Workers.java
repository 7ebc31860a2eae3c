package dev.backlight.cpu;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.RecursiveAction;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntConsumer;

/**
 * The CPU backend's worker threads. Work is split into numbered tasks whose outputs never overlap
 * and whose arithmetic does not depend on which thread runs them, so results are bit-identical
 * for any thread count.
 *
 * <p>Threads are named {@code backlight-cpu-<pool>-<index>}, {@code <pool>} numbering the pools of
 * this JVM, so that a leak can be traced to its backend.
 */
final class Workers implements AutoCloseable {
    /** Prefix of every worker thread's name. */
    static final String THREAD_PREFIX = "backlight-cpu-";
    /** How long {@link #close()} waits for the threads to end; tasks are short, so this is generous. */
    private static final long TERMINATION_SECONDS = 10;
    private static final AtomicInteger POOLS = new AtomicInteger();

    private final int threads;
    private final String namePrefix;
    private final ForkJoinPool pool;
    /** Every thread the pool started, so that {@link #close()} can wait until each has ended. */
    private final List<Thread> started = new CopyOnWriteArrayList<>();

    Workers(int threads) {
        this.threads = threads;
        this.namePrefix = THREAD_PREFIX + POOLS.incrementAndGet() + "-";
        this.pool = threads > 1 ? new ForkJoinPool(threads, p -> {
            var t = ForkJoinPool.defaultForkJoinWorkerThreadFactory.newThread(p);
            t.setName(namePrefix + t.getPoolIndex());
            t.setDaemon(true);
            started.removeIf(old -> old.getState() == Thread.State.TERMINATED); // idle workers time out, are replaced
            started.add(t);
            return t;
        }, null, false) : null;
    }

    /** The name prefix of this pool's threads, {@code backlight-cpu-<pool>-}. */
    String namePrefix() {
        return namePrefix;
    }

    int threads() {
        return threads;
    }

    /** Runs {@code body.accept(t)} for every t in [0, tasks), in parallel, and waits for all. */
    void run(int tasks, IntConsumer body) {
        if (tasks <= 0) {
            return;
        }
        if (pool == null || tasks == 1) {
            for (int t = 0; t < tasks; t++) {
                body.accept(t);
            }
            return;
        }
        pool.invoke(new Range(body, 0, tasks));
    }

    /**
     * Stops the threads and waits for them to end (a call still running on the pool fails). If
     * interrupted while waiting, returns at once with the interrupt flag set.
     */
    @Override
    public void close() {
        if (pool != null) {
            pool.shutdownNow();
            try {
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(TERMINATION_SECONDS);
                boolean ended = pool.awaitTermination(TERMINATION_SECONDS, TimeUnit.SECONDS);
                for (Thread t : started) {
                    // A terminated pool's threads are on their way out; join so none is alive after close.
                    t.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
                    ended &= !t.isAlive();
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
    }

    private static final class Range extends RecursiveAction {
        private static final long serialVersionUID = 1L;
        private final transient IntConsumer body;
        private final int from;
        private final int to;

        Range(IntConsumer body, int from, int to) {
            this.body = body;
            this.from = from;
            this.to = to;
        }

        @Override
        protected void compute() {
            if (to - from == 1) {
                body.accept(from);
                return;
            }
            int mid = (from + to) >>> 1;
            invokeAll(new Range(body, from, mid), new Range(body, mid, to));
        }
    }
}
