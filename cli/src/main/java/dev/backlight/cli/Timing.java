package dev.backlight.cli;

import java.util.Locale;

/** Formats elapsed times for progress lines and logs. */
public final class Timing {
    private Timing() {
    }

    /** Seconds since {@code startNanos} (a {@link System#nanoTime()} reading), as {@code "3.1 s"}. */
    public static String seconds(long startNanos) {
        return String.format(Locale.ROOT, "%.1f s", (System.nanoTime() - startNanos) / 1e9);
    }
}
