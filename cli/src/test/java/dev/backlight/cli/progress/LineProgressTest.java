package dev.backlight.cli.progress;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** Plain progress lines: at most one per interval, with rate and time left, and a last line. */
class LineProgressTest {
    private static final long SECOND = 1_000_000_000L;

    @Test
    void printsAtMostOneLinePerIntervalThenALastLine() {
        AtomicLong now = new AtomicLong(0);
        StringWriter text = new StringWriter();
        LineProgress progress = new LineProgress("explain", 100, "files", 1, new PrintWriter(text, true), 10 * SECOND,
                now::get);

        now.set(4 * SECOND);
        progress.advance(10);          // 4 s: before the first interval, no line
        now.set(10 * SECOND);
        progress.advance(15);          // 10 s: 25 done at 2.5/s, 75 left: 30 s
        now.set(12 * SECOND);
        progress.advance(5);           // 12 s: within the interval, no line
        now.set(40 * SECOND);
        progress.advance(70);          // all done: the last line comes from close
        progress.close();
        progress.close();              // idempotent

        assertEquals(List.of(
                "explain: 25/100 files (25%), 2.5 files/s, ETA 0:30",
                "explain: 100/100 files (100%), 2.5 files/s, 0:40 elapsed"), text.toString().lines().toList());
    }

    @Test
    void showsBytesInMebibytes() {
        AtomicLong now = new AtomicLong(0);
        StringWriter text = new StringWriter();
        LineProgress progress = new LineProgress("download", 8L << 20, "MiB", 1 << 20, new PrintWriter(text, true),
                SECOND, now::get);

        now.set(2 * SECOND);
        progress.advance(2L << 20);

        assertEquals("download: 2.0/8.0 MiB (25%), 1.0 MiB/s, ETA 0:06", text.toString().strip());
    }
}
