package dev.backlight.cli;

/** The exit status of the {@code backlight} command. */
public final class ExitCodes {
    /** Everything asked for was done. */
    public static final int OK = 0;
    /**
     * Something failed while running: an unreadable input or weights file, an unusable backend or
     * output folder, an error during computation. An unknown {@code --backend} name is one too:
     * backends are discovered at run time, so it means the same as an unavailable one (its jar is
     * not on the class path).
     */
    public static final int FAILURE = 1;
    /** The command line is wrong: an unknown or malformed option, a value out of range, a clash. */
    public static final int USAGE = 2;
    /**
     * Stopped by Ctrl-C (SIGINT). The JVM sets it, as 128 + the signal's number (SIGTERM gives
     * 143), after Backlight's shutdown hook has discarded the outputs being written: every output
     * file left is complete, and {@code explain --resume} does the rest. See {@link Interruption}.
     */
    public static final int INTERRUPTED = 130;

    private ExitCodes() {
    }
}
