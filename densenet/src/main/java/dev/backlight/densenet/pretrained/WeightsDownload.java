package dev.backlight.densenet.pretrained;

import dev.backlight.api.internal.io.AtomicFiles;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.UnknownHostException;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.ByteBuffer;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.regex.Pattern;

/**
 * Gets {@link PretrainedWeights} into the cache once and keeps the cache healthy.
 *
 * <p>A download goes, with progress reported to a {@link DownloadListener}, into a hidden
 * temporary file beside its cache entry, renamed into place only when it is <em>known</em> to be
 * complete: its byte count equals the server's {@code Content-Length} or the configured size, or
 * its SHA-256 equals the configured hash, or the protocol itself marks the end of the body
 * (chunked transfer, HTTP/2). A body that simply stops — HTTP/1.x without a length, where a
 * dropped connection looks like the end — is discarded, so a truncated file is never cached.
 *
 * <p>The cache folder is locked while a download or a check runs ({@link CacheLock}): a second
 * process waits for the first instead of downloading the same file beside it. Holding the lock,
 * the temporary files that killed downloads left in the folder are deleted. A cached file is
 * checked before it is used ({@link CachedFileCheck}: the expected size, the safetensors framing);
 * one that fails is deleted, with a warning naming it, and downloaded again.
 *
 * <p>Offline (connection refused, unknown host, connect timeout) it fails at once with one line
 * that says how to give a weights file instead. Thread-safe.
 */
public final class WeightsDownload {
    private static final System.Logger LOG = System.getLogger(WeightsDownload.class.getName());
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(15);
    private static final Duration RESPONSE_TIMEOUT = Duration.ofSeconds(60);
    private static final int CHUNK = 1 << 16;
    /** Temporary names of earlier versions: {@code .<cache entry>.<hex>.tmp}. */
    private static final Pattern LEGACY_TEMPORARY = Pattern.compile("\\..+\\.safetensors\\.[0-9a-f]{1,16}\\.tmp");

    private final DownloadListener listener;

    /** A download that reports its progress to {@code listener}. */
    public WeightsDownload(DownloadListener listener) {
        this.listener = java.util.Objects.requireNonNull(listener, "listener");
    }

    /**
     * The cached file of {@code weights}, downloaded first if it is not in the cache.
     *
     * @throws WeightsDownloadException if it cannot be downloaded or fails a check; nothing is cached then
     */
    public Path fetch(PretrainedWeights weights) {
        Path cached = weights.cachedFile();
        try {
            Files.createDirectories(weights.cacheFolder());
        } catch (IOException e) {
            throw new WeightsDownloadException("cannot create the weights cache " + weights.cacheFolder() + ": " + e
                    + "; set BACKLIGHT_CACHE to a writable folder, or give a weights file", e);
        }
        String what = weights.model() + " weights";
        try (CacheLock lock = CacheLock.acquire(weights.cacheFolder(), () -> listener.waiting(what,
                "another backlight process is downloading into " + weights.cacheFolder()))) {
            deleteLeftovers(weights.cacheFolder(), lock);
            if (Files.isRegularFile(cached)) {
                Optional<String> problem = CachedFileCheck.problem(cached, weights.size());
                if (problem.isEmpty()) {
                    LOG.log(System.Logger.Level.DEBUG, "using cached weights {0} (from {1})", cached, weights.url());
                    return cached;
                }
                Files.delete(cached);
                LOG.log(System.Logger.Level.WARNING, "deleted the cached {0} {1}: {2}; downloading it again", what, cached,
                        problem.get());
            }
            download(weights, cached);
            return cached;
        } catch (IOException e) {
            throw new WeightsDownloadException("cannot use the weights cache " + weights.cacheFolder() + ": " + e
                    + "; set BACKLIGHT_CACHE to a writable folder, or give a weights file", e);
        }
    }

    /**
     * Deletes the temporary files of downloads that were killed (they hold no lock and are older than
     * ours): {@link AtomicFiles}' names, and those of Backlight versions that named them after the
     * cache entry ({@code .densenet201-<hex>.safetensors.<hex>.tmp}).
     */
    private static void deleteLeftovers(Path folder, CacheLock lock) throws IOException {
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(folder, ".*.tmp")) {
            for (Path entry : entries) {
                String name = entry.getFileName().toString();
                boolean ours = AtomicFiles.isTemporary(name) || LEGACY_TEMPORARY.matcher(name).matches();
                if (ours && Files.isRegularFile(entry) && lock.olderThanLock(entry)) {
                    long size = Files.size(entry);
                    if (Files.deleteIfExists(entry)) {
                        LOG.log(System.Logger.Level.INFO, "deleted {0} ({1} bytes), left in the weights cache by a"
                                + " download that was stopped", entry, size);
                    }
                }
            }
        }
    }

    private void download(PretrainedWeights weights, Path cached) {
        HttpClient client = HttpClient.newBuilder()
                .connectTimeout(CONNECT_TIMEOUT)
                .followRedirects(HttpClient.Redirect.NORMAL)
                .build();
        java.net.http.HttpRequest request = java.net.http.HttpRequest.newBuilder(weights.url())
                .timeout(RESPONSE_TIMEOUT)
                .header("User-Agent", "backlight/" + version())
                .GET()
                .build();
        HttpResponse<InputStream> response;
        try {
            response = client.send(request, HttpResponse.BodyHandlers.ofInputStream());
        } catch (IOException e) {
            throw offlineOrFailed(weights, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new WeightsDownloadException("the download of " + weights.url() + " was interrupted", e);
        }
        try (InputStream body = response.body()) {
            if (response.statusCode() != 200) {
                throw new WeightsDownloadException("cannot download the " + weights.model() + " weights: " + weights.url()
                        + " answered HTTP " + response.statusCode() + "; " + passWeights(weights));
            }
            OptionalLong length = response.headers().firstValueAsLong("Content-Length");
            // Chunked transfer ends with a chunk of length zero and HTTP/2 with an end-of-stream flag:
            // a connection dropped before either is an IOException, never a short body.
            boolean delimited = response.version() == HttpClient.Version.HTTP_2 || response.headers()
                    .allValues("Transfer-Encoding").stream().anyMatch(v -> v.toLowerCase(Locale.ROOT).contains("chunked"));
            LOG.log(System.Logger.Level.DEBUG, "downloading {0} ({1} bytes) to {2}", weights.url(),
                    length.isPresent() ? length.getAsLong() : "?", cached);
            AtomicFiles.write(cached, channel -> copy(body, channel, weights, length, delimited));
        } catch (IOException e) {
            throw new WeightsDownloadException("the download of " + weights.url() + " failed: " + e.getMessage()
                    + "; nothing was cached; run again to retry, or " + passWeights(weights), e);
        }
    }

    private void copy(InputStream body, java.nio.channels.FileChannel channel, PretrainedWeights weights,
                      OptionalLong length, boolean delimited) throws IOException {
        MessageDigest sha = sha256();
        long received = 0;
        boolean complete = false;
        listener.started(weights.model() + " weights", length.orElse(weights.size().orElse(-1)));
        try {
            byte[] buffer = new byte[CHUNK];
            for (int n = body.read(buffer); n >= 0; n = body.read(buffer)) {
                ByteBuffer bytes = ByteBuffer.wrap(buffer, 0, n);
                while (bytes.hasRemaining()) {
                    channel.write(bytes);
                }
                sha.update(buffer, 0, n);
                received += n;
                listener.transferred(n);
            }
            check(weights, length, delimited, received, HexFormat.of().formatHex(sha.digest()));
            complete = true;
        } catch (IOException e) {
            throw new IOException("the transfer broke off after " + received + " of "
                    + (length.isPresent() ? length.getAsLong() : "?") + " bytes (" + e.getMessage() + ")", e);
        } finally {
            listener.finished(complete);
        }
    }

    /**
     * The checks of a transfer that ended; a failure leaves nothing in the cache. Besides a size or
     * hash that differs from what is expected, a transfer whose completeness nothing proves fails.
     */
    private static void check(PretrainedWeights weights, OptionalLong length, boolean delimited, long received,
                              String sha) {
        if (length.isPresent() && received != length.getAsLong()) {
            throw new WeightsDownloadException("the download of " + weights.url() + " broke off: " + received + " of "
                    + length.getAsLong() + " bytes arrived; nothing was cached; run again to retry");
        }
        if (weights.size().isPresent() && received != weights.size().getAsLong()) {
            throw new WeightsDownloadException("the file downloaded from " + weights.url() + " has " + received
                    + " bytes, but " + weights.size().getAsLong() + " are expected (BACKLIGHT_WEIGHTS_SIZE); nothing was"
                    + " cached");
        }
        if (weights.sha256().isPresent() && !weights.sha256().get().equals(sha)) {
            throw new WeightsDownloadException("the file downloaded from " + weights.url() + " has SHA-256 " + sha + ", but "
                    + weights.sha256().get() + " is expected (BACKLIGHT_WEIGHTS_SHA256); nothing was cached");
        }
        if (length.isEmpty() && weights.size().isEmpty() && weights.sha256().isEmpty() && !delimited) {
            throw new WeightsDownloadException(weights.url() + " sent " + received + " bytes without saying how many to"
                    + " expect (no Content-Length), so a connection that dropped cannot be told from the end of the file;"
                    + " nothing was cached; set BACKLIGHT_WEIGHTS_SIZE (or BACKLIGHT_WEIGHTS_SHA256) to the file's size"
                    + " (or hash) and run again, or " + passWeights(weights));
        }
    }

    private static WeightsDownloadException offlineOrFailed(PretrainedWeights weights, IOException e) {
        boolean offline = e instanceof ConnectException || e instanceof HttpConnectTimeoutException
                || e instanceof UnknownHostException || e.getCause() instanceof UnknownHostException
                || e.getCause() instanceof java.nio.channels.UnresolvedAddressException;
        String reason = e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
        if (offline) {
            return new WeightsDownloadException("cannot reach " + weights.url() + " to download the pretrained "
                    + weights.model() + " weights (" + reason + "); offline, " + passWeights(weights), e);
        }
        if (e instanceof HttpTimeoutException) {
            return new WeightsDownloadException(weights.url() + " did not answer in " + RESPONSE_TIMEOUT.toSeconds()
                    + " s; " + passWeights(weights), e);
        }
        return new WeightsDownloadException("cannot download " + weights.url() + ": " + reason + "; " + passWeights(weights), e);
    }

    private static String passWeights(PretrainedWeights weights) {
        return "download it where there is network (curl -L -o " + weights.model() + ".safetensors " + weights.url()
                + ") and give that file as the weights, or try the pipeline with random weights";
    }

    /** This library's version, for the User-Agent header. */
    private static String version() {
        String v = WeightsDownload.class.getPackage().getImplementationVersion();
        return v == null ? "dev" : v;
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }
}
