package dev.backlight.cli.progress;

import java.io.PrintWriter;
import java.util.Locale;
import java.util.function.LongSupplier;

/**
 * Progress as plain lines, for logs and pipes: at most one line per interval while the task runs,
 * and a last line when it ends, such as {@code explain: 40/100 files (40%), 3.2 files/s, ETA 0:19}.
 */
final class LineProgress implements Progress {
    /** Ten seconds between lines. */
    static final long DEFAULT_INTERVAL_NANOS = 10_000_000_000L;

    private final String task;
    private final long total;
    private final String unit;
    private final long unitSize;
    private final PrintWriter out;
    private final long intervalNanos;
    private final LongSupplier clock;
    private final long start;
    private long done;
    private long lastLine;
    private boolean closed;

    LineProgress(String task, long total, String unit, long unitSize, PrintWriter out, long intervalNanos) {
        this(task, total, unit, unitSize, out, intervalNanos, System::nanoTime);
    }

    /** With a clock in nanoseconds, for tests. */
    LineProgress(String task, long total, String unit, long unitSize, PrintWriter out, long intervalNanos,
                 LongSupplier clock) {
        this.task = task;
        this.total = total;
        this.unit = unit;
        this.unitSize = unitSize;
        this.out = out;
        this.intervalNanos = intervalNanos;
        this.clock = clock;
        this.start = clock.getAsLong();
        this.lastLine = start;
    }

    @Override
    public void advance(long units) {
        done += units;
        long now = clock.getAsLong();
        if (now - lastLine >= intervalNanos && done < total) {
            print(now);
        }
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            print(clock.getAsLong());
        }
    }

    private void print(long now) {
        lastLine = now;
        double seconds = (now - start) / 1e9;
        double rate = seconds > 0 ? done / (double) unitSize / seconds : 0;
        StringBuilder line = new StringBuilder(task).append(": ")
                .append(amount(done)).append('/').append(amount(total)).append(' ').append(unit);
        if (total > 0) {
            line.append(String.format(Locale.ROOT, " (%d%%)", done * 100 / total));
        }
        line.append(String.format(Locale.ROOT, ", %.1f %s/s", rate, unit));
        if (done < total && rate > 0) {
            line.append(", ETA ").append(Progress.clock((total - done) / (double) unitSize / rate));
        } else {
            line.append(", ").append(Progress.clock(seconds)).append(" elapsed");
        }
        out.println(line);
        out.flush();
    }

    private String amount(long units) {
        return unitSize == 1 ? Long.toString(units) : String.format(Locale.ROOT, "%.1f", units / (double) unitSize);
    }
}
