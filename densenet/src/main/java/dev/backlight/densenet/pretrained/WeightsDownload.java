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
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.OptionalLong;

/**
 * Gets {@link PretrainedWeights} into the cache once: a cached file is used as is; otherwise the
 * file is downloaded, reporting progress to a {@link DownloadListener}, into a hidden temporary file beside its cache entry
 * and renamed into place only when complete and checked (byte count against the server's {@code
 * Content-Length} and the configured size, SHA-256 against the configured hash), so an interrupted
 * or wrong download never leaves a cache entry behind.
 *
 * <p>Offline (connection refused, unknown host, connect timeout) it fails at once with one line
 * that says how to give a weights file instead. Thread-safe; the cache is not locked against
 * other processes (the atomic rename keeps a concurrent download from leaving a broken entry).
 */
public final class WeightsDownload {
    private static final System.Logger LOG = System.getLogger(WeightsDownload.class.getName());
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(15);
    private static final Duration RESPONSE_TIMEOUT = Duration.ofSeconds(60);
    private static final int CHUNK = 1 << 16;

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
        if (Files.isRegularFile(cached) && sizeMatches(cached, weights.size())) {
            LOG.log(System.Logger.Level.DEBUG, "using cached weights {0} (from {1})", cached, weights.url());
            return cached;
        }
        try {
            Files.createDirectories(weights.cacheFolder());
        } catch (IOException e) {
            throw new WeightsDownloadException("cannot create the weights cache " + weights.cacheFolder() + ": " + e
                    + "; set BACKLIGHT_CACHE to a writable folder, or give a weights file", e);
        }
        download(weights, cached);
        return cached;
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
            LOG.log(System.Logger.Level.DEBUG, "downloading {0} ({1} bytes) to {2}", weights.url(),
                    length.isPresent() ? length.getAsLong() : "?", cached);
            AtomicFiles.write(cached, channel -> copy(body, channel, weights, length));
        } catch (IOException e) {
            throw new WeightsDownloadException("the download of " + weights.url() + " failed: " + e.getMessage()
                    + "; nothing was cached; run again to retry, or " + passWeights(weights), e);
        }
    }

    private void copy(InputStream body, java.nio.channels.FileChannel channel, PretrainedWeights weights,
                      OptionalLong length) throws IOException {
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
            check(weights, length, received, HexFormat.of().formatHex(sha.digest()));
            complete = true;
        } catch (IOException e) {
            throw new IOException("the transfer broke off after " + received + " of "
                    + (length.isPresent() ? length.getAsLong() : "?") + " bytes (" + e.getMessage() + ")", e);
        } finally {
            listener.finished(complete);
        }
    }

    /** The checks of a complete transfer; a failure leaves nothing in the cache. */
    private static void check(PretrainedWeights weights, OptionalLong length, long received, String sha) {
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
    }

    private static boolean sizeMatches(Path file, OptionalLong size) {
        try {
            return size.isEmpty() || Files.size(file) == size.getAsLong();
        } catch (IOException e) {
            return false;
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
