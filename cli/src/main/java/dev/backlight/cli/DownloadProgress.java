package dev.backlight.cli;

import dev.backlight.cli.progress.Progress;
import dev.backlight.densenet.pretrained.DownloadListener;
import java.io.PrintWriter;

/**
 * Shows the pretrained-weights download the way {@code explain} shows its inputs: a bar on a
 * terminal, plain lines elsewhere. While the transfer runs, a Ctrl-C is reported as interrupting
 * the download ({@link Interruption#advise}), not the outputs: the partial file is deleted, nothing
 * is cached, and the same command downloads it again.
 */
public final class DownloadProgress implements DownloadListener {
    private final Progress.Mode mode;
    private final PrintWriter err;
    private Progress shown;
    private String adviceBefore;

    /**
     * @param mode how progress is shown
     * @param err where it is shown
     */
    public DownloadProgress(Progress.Mode mode, PrintWriter err) {
        this.mode = mode;
        this.err = err;
    }

    @Override
    public void started(String what, long totalBytes) {
        adviceBefore = Interruption.advice();
        Interruption.advise("the download of the " + what + " was stopped; the partial file was deleted and nothing"
                + " was cached; run the same command again to download it");
        shown = Progress.start(mode, "downloading " + what, Math.max(0, totalBytes), "MiB", 1 << 20, err);
    }

    @Override
    public void waiting(String what, String reason) {
        err.println("waiting for " + what + ": " + reason);
        err.flush();
    }

    @Override
    public void transferred(long bytes) {
        if (shown != null) {
            shown.advance(bytes);
        }
    }

    @Override
    public void finished(boolean complete) {
        if (shown != null) {
            shown.close();
            shown = null;
        }
        Interruption.advise(adviceBefore);
    }
}
