package dev.backlight.spark;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

/**
 * Values that are expensive to build (explainers: weights loaded, backend created), built at most
 * once per key however many threads ask at once, shared while leased, and closed when no longer
 * wanted.
 *
 * <p>{@link #acquire} returns a {@link Lease}; the value stays open at least until every lease of
 * it is closed. The first thread to ask for a key builds its value under that key's own lock, so
 * other keys are neither blocked nor built twice; threads asking for the same key meanwhile wait
 * and share it. A build that fails is not remembered: the threads waiting for it get the same
 * failure and the next {@link #acquire} tries again (the cause may have been transient, such as a
 * file system that was briefly unreachable).
 *
 * <p>Unleased values are kept for reuse, the {@code maxIdle} most recently used of them; older
 * ones are closed when a new value is built or a lease ends. {@link #releaseAll()} closes every
 * unleased value now and each leased one when its last lease ends.
 *
 * <p>Thread-safe.
 *
 * @param <K> the key: equal keys share one value
 * @param <V> the value, closed by this registry
 */
final class ModelRegistry<K, V extends AutoCloseable> {
    private static final System.Logger LOG = System.getLogger(ModelRegistry.class.getName());

    private final Function<K, V> factory;
    private final int maxIdle;
    /** Guarded by {@code this}. */
    private final Map<K, Entry> entries = new HashMap<>();
    /** Guarded by {@code this}: orders the entries by their last use. */
    private long clock;
    private final AtomicLong builds = new AtomicLong();

    /**
     * @param factory builds the value of a key; may throw, and is called outside the registry's lock
     * @param maxIdle how many unleased values to keep for reuse (at least 0)
     */
    ModelRegistry(Function<K, V> factory, int maxIdle) {
        if (maxIdle < 0) {
            throw new IllegalArgumentException("maxIdle must be at least 0, got " + maxIdle);
        }
        this.factory = Objects.requireNonNull(factory, "factory");
        this.maxIdle = maxIdle;
    }

    /**
     * The value of {@code key}, built now if this registry holds none, leased to the caller until it
     * closes the lease.
     *
     * @throws RuntimeException whatever building the value throws
     */
    Lease acquire(K key) {
        Objects.requireNonNull(key, "key");
        Entry entry;
        synchronized (this) {
            entry = entries.computeIfAbsent(key, Entry::new);
            entry.leases++;
        }
        V value;
        try {
            value = entry.value();
        } catch (RuntimeException | Error e) {
            synchronized (this) {
                entry.leases--;
                if (entries.get(key) == entry) {
                    entries.remove(key);
                }
            }
            throw e;
        }
        closeAll(evictable());
        return new Lease(entry, value);
    }

    /** How many values this registry has built since it was made. */
    long builds() {
        return builds.get();
    }

    /** How many values it holds now, leased or not. */
    synchronized int size() {
        return entries.size();
    }

    /** How many leases are open now. */
    synchronized int leases() {
        return entries.values().stream().mapToInt(e -> e.leases).sum();
    }

    /**
     * Forgets every value: closes the unleased ones now and each leased one when its last lease is
     * closed. Later {@link #acquire} calls build afresh.
     */
    void releaseAll() {
        List<Entry> idle = new ArrayList<>();
        synchronized (this) {
            for (Entry e : entries.values()) {
                e.retired = true;
                if (e.leases == 0) {
                    idle.add(e);
                }
            }
            entries.clear();
        }
        closeAll(idle);
    }

    /** Removes and returns the unleased entries beyond the {@code maxIdle} most recently used. */
    private synchronized List<Entry> evictable() {
        List<Entry> idle = new ArrayList<>();
        for (Entry e : entries.values()) {
            if (e.leases == 0 && e.built) {
                idle.add(e);
            }
        }
        if (idle.size() <= maxIdle) {
            return List.of();
        }
        idle.sort(Comparator.comparingLong((Entry e) -> e.lastUsed).reversed());
        List<Entry> evicted = new ArrayList<>(idle.subList(maxIdle, idle.size()));
        for (Entry e : evicted) {
            entries.remove(e.key);
        }
        return evicted;
    }

    private void closeAll(List<Entry> closing) {
        for (Entry e : closing) {
            e.close();
        }
    }

    /** One key's value, built on first use under the entry's own lock. */
    private final class Entry {
        private final K key;
        /** Guarded by the registry. */
        private int leases;
        /** Guarded by the registry. */
        private long lastUsed;
        /** Guarded by the registry: forgotten by {@link #releaseAll()}; close at the last lease. */
        private boolean retired;
        /** Set under this entry's lock, read under the registry's: whether {@link #value} holds a value. */
        private volatile boolean built;
        /** Guarded by this entry. */
        private V value;
        /** Guarded by this entry: the failure of the build, given to the threads that waited for it. */
        private RuntimeException failure;
        /** Guarded by this entry. */
        private boolean closed;

        private Entry(K key) {
            this.key = key;
        }

        private synchronized V value() {
            if (closed) {
                throw new IllegalStateException("the value of " + key + " was closed");
            }
            if (failure != null) {
                throw failure;
            }
            if (value == null) {
                long start = System.nanoTime();
                try {
                    value = Objects.requireNonNull(factory.apply(key), "the factory returned null");
                } catch (RuntimeException e) {
                    failure = e;
                    throw e;
                }
                builds.incrementAndGet();
                built = true;
                LOG.log(System.Logger.Level.DEBUG, "built {0} in {1} ms", key, (System.nanoTime() - start) / 1_000_000);
            }
            return value;
        }

        private synchronized void close() {
            if (closed) {
                return;
            }
            closed = true;
            if (value != null) {
                try {
                    value.close();
                    LOG.log(System.Logger.Level.DEBUG, "closed {0}", key);
                } catch (Exception e) {
                    // Nothing depends on it any more; a failure to free it is worth a warning, not a failed task.
                    LOG.log(System.Logger.Level.WARNING, "closing " + key + " failed", e);
                }
            }
        }
    }

    /**
     * One holder's use of a value: the value stays open until this lease (and every other) is
     * closed. Closing is idempotent.
     */
    final class Lease implements AutoCloseable {
        private final Entry entry;
        private final V value;
        private boolean closed;

        private Lease(Entry entry, V value) {
            this.entry = entry;
            this.value = value;
        }

        /** The leased value. */
        V value() {
            return value;
        }

        @Override
        public void close() {
            boolean closeNow;
            synchronized (ModelRegistry.this) {
                if (closed) {
                    return;
                }
                closed = true;
                entry.leases--;
                entry.lastUsed = ++clock;
                closeNow = entry.retired && entry.leases == 0;
            }
            if (closeNow) {
                entry.close();
            }
            closeAll(evictable());
        }
    }
}
