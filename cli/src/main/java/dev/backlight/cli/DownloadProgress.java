package dev.backlight.cli;

import dev.backlight.cli.progress.Progress;
import dev.backlight.densenet.pretrained.DownloadListener;
import java.io.PrintWriter;

/** Shows the pretrained-weights download the way {@code explain} shows its inputs: a bar on a terminal, plain lines elsewhere. */
public final class DownloadProgress implements DownloadListener {
    private final Progress.Mode mode;
    private final PrintWriter err;
    private Progress shown;

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
        shown = Progress.start(mode, "downloading " + what, Math.max(0, totalBytes), "MiB", 1 << 20, err);
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
    }
}
