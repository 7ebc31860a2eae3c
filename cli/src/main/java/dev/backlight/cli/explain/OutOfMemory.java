package dev.backlight.cli.explain;

/** Tells running out of heap from other failures, whether thrown as is or wrapped (by a worker pool, say). */
final class OutOfMemory {
    private OutOfMemory() {
    }

    /** Whether {@code failure} or one of its causes is an {@link OutOfMemoryError}. */
    static boolean is(Throwable failure) {
        int depth = 0;
        for (Throwable t = failure; t != null && depth < 32; t = t.getCause(), depth++) {
            if (t instanceof OutOfMemoryError) {
                return true;
            }
        }
        return false;
    }
}
