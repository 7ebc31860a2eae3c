package dev.backlight.cli.progress;

import java.io.PrintStream;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/** A terminal progress bar (me.tongfei:progressbar) on stderr, with the rate and the time left. */
final class BarProgress implements Progress {
    private final ProgressBar bar;

    BarProgress(String task, long total, String unit, long unitSize) {
        PrintStream err = System.err;
        this.bar = new ProgressBarBuilder()
                .setTaskName(task)
                .setInitialMax(total)
                .setUnit(" " + unit, unitSize)
                .showSpeed()
                .setStyle(ProgressBarStyle.COLORFUL_UNICODE_BLOCK)
                .setConsumer(new ConsoleProgressBarConsumer(err))
                .setUpdateIntervalMillis(250)
                .build();
    }

    @Override
    public void advance(long units) {
        bar.stepBy(units);
    }

    @Override
    public void close() {
        bar.close();
    }
}
