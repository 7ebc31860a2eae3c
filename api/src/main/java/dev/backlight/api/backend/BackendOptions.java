package dev.backlight.api.backend;

/**
 * Options for creating a backend.
 *
 * @param threads worker threads for CPU work; 0 means one per available processor
 */
public record BackendOptions(int threads) {
    public BackendOptions {
        if (threads < 0) {
            throw new IllegalArgumentException("threads must be 0 (all cores) or positive, got " + threads);
        }
    }

    /** Defaults: all cores. */
    public static BackendOptions defaults() {
        return new BackendOptions(0);
    }

    /** The thread count to use: {@link #threads()} or the number of available processors if 0. */
    public int effectiveThreads() {
        return threads == 0 ? Runtime.getRuntime().availableProcessors() : threads;
    }
}
