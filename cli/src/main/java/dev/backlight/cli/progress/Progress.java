package dev.backlight.cli.progress;

import java.io.PrintWriter;
import java.util.Locale;

/**
 * Reports how far a long task has come: a progress bar with rate and ETA on a terminal ({@link
 * BarProgress}), plain periodic lines elsewhere ({@link LineProgress}), or nothing. Not
 * thread-safe; {@link #close()} finishes the display.
 */
public interface Progress extends AutoCloseable {

    /** How progress is shown, as {@code --progress} names it. */
    enum Mode {
        /** A bar when stderr is a terminal (a console is attached), else lines. */
        AUTO,
        /** Always the bar. */
        BAR,
        /** Always plain lines. */
        LINES,
        /** Nothing. */
        NONE;

        /** The mode {@code AUTO} stands for here. */
        Mode resolved() {
            if (this != AUTO) {
                return this;
            }
            return System.console() != null ? BAR : LINES;
        }
    }

    /**
     * A display of {@code total} units called {@code unit} (such as "files"), titled {@code task}.
     *
     * @param unitSize how many counted units make one shown unit (1, or 1 MiB of bytes)
     * @param err where lines go; the bar writes to the process's stderr itself
     */
    static Progress start(Mode mode, String task, long total, String unit, long unitSize, PrintWriter err) {
        return switch (mode.resolved()) {
            case BAR -> new BarProgress(task, total, unit, unitSize);
            case LINES -> new LineProgress(task, total, unit, unitSize, err, LineProgress.DEFAULT_INTERVAL_NANOS);
            default -> none();
        };
    }

    /** A display that shows nothing. */
    static Progress none() {
        return new Progress() {
            @Override
            public void advance(long units) {
            }

            @Override
            public void close() {
            }
        };
    }

    /** Counts {@code units} more done. */
    void advance(long units);

    /** Finishes the display (the bar's last state, or a last line). */
    @Override
    void close();

    /** {@code seconds} as {@code m:ss} or {@code h:mm:ss}. */
    static String clock(double seconds) {
        long s = Math.max(0, Math.round(seconds));
        return s >= 3600
                ? String.format(Locale.ROOT, "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60)
                : String.format(Locale.ROOT, "%d:%02d", s / 60, s % 60);
    }
}
