package dev.backlight.densenet.pretrained;

/**
 * Hears how a download of pretrained weights goes, to show progress: {@link #started}, then any
 * number of {@link #transferred}, then {@link #finished}, all on the downloading thread. A command
 * line draws a progress bar with it; an application may log it. Listeners must not throw.
 */
public interface DownloadListener {

    /**
     * The transfer begins.
     *
     * @param what what is downloaded, such as {@code densenet201 weights}
     * @param totalBytes the size announced by the server, or -1 when it did not say
     */
    void started(String what, long totalBytes);

    /**
     * The download waits before it starts: another process holds the cache's lock (it is downloading
     * the same or other weights). Called at most once per download, before {@link #started}; nothing
     * by default.
     *
     * @param what what is waited for, such as {@code densenet201 weights}
     * @param reason why, naming the cache folder
     */
    default void waiting(String what, String reason) {
    }

    /** {@code bytes} more bytes arrived. */
    void transferred(long bytes);

    /**
     * The transfer ended.
     *
     * @param complete whether every byte arrived and passed the checks
     */
    void finished(boolean complete);

    /** A listener that ignores everything. */
    static DownloadListener none() {
        return new DownloadListener() {
            @Override
            public void started(String what, long totalBytes) {
            }

            @Override
            public void transferred(long bytes) {
            }

            @Override
            public void finished(boolean complete) {
            }
        };
    }
}
