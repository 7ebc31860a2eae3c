package dev.backlight.cli;

import dev.backlight.api.BacklightException;
import dev.backlight.api.internal.io.AtomicFiles;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
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
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Gets {@link PretrainedWeights} into the cache once: a cached file is used as is; otherwise the
 * file is downloaded with a progress display into a hidden temporary file beside its cache entry
 * and renamed into place only when complete and checked (byte count against the server's {@code
 * Content-Length} and the configured size, SHA-256 against the configured hash), so an interrupted
 * or wrong download never leaves a cache entry behind.
 *
 * <p>Offline (connection refused, unknown host, connect timeout) it fails at once with one line
 * that says how to pass {@code --weights} instead.
 */
final class WeightsDownload {
    private static final Logger LOG = LoggerFactory.getLogger(WeightsDownload.class);
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(15);
    private static final Duration RESPONSE_TIMEOUT = Duration.ofSeconds(60);
    private static final int CHUNK = 1 << 16;

    private final Progress.Mode progress;
    private final PrintWriter err;

    /**
     * @param progress how the download's progress is shown
     * @param err where progress lines go
     */
    WeightsDownload(Progress.Mode progress, PrintWriter err) {
        this.progress = progress;
        this.err = err;
    }

    /**
     * The cached file of {@code weights}, downloaded first if it is not in the cache.
     *
     * @throws BacklightException if it cannot be downloaded or fails a check; nothing is cached then
     */
    Path fetch(PretrainedWeights weights) {
        Path cached = weights.cachedFile();
        if (Files.isRegularFile(cached) && sizeMatches(cached, weights.size())) {
            LOG.info("using cached weights {} (from {})", cached, weights.url());
            return cached;
        }
        try {
            Files.createDirectories(weights.cacheFolder());
        } catch (IOException e) {
            throw new BacklightException("cannot create the weights cache " + weights.cacheFolder() + ": " + e
                    + "; set BACKLIGHT_CACHE to a writable folder, or pass --weights FILE.safetensors", e);
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
                .header("User-Agent", "backlight/" + VersionProvider.version())
                .GET()
                .build();
        HttpResponse<InputStream> response;
        try {
            response = client.send(request, HttpResponse.BodyHandlers.ofInputStream());
        } catch (IOException e) {
            throw offlineOrFailed(weights, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BacklightException("the download of " + weights.url() + " was interrupted", e);
        }
        try (InputStream body = response.body()) {
            if (response.statusCode() != 200) {
                throw new BacklightException("cannot download the " + weights.model() + " weights: " + weights.url()
                        + " answered HTTP " + response.statusCode() + "; " + passWeights(weights));
            }
            OptionalLong length = response.headers().firstValueAsLong("Content-Length");
            LOG.info("downloading {} ({} bytes) to {}", weights.url(), length.isPresent() ? length.getAsLong() : "?", cached);
            AtomicFiles.write(cached, channel -> copy(body, channel, weights, length));
        } catch (IOException e) {
            throw new BacklightException("the download of " + weights.url() + " failed: " + e.getMessage()
                    + "; nothing was cached; run again to retry, or " + passWeights(weights), e);
        }
    }

    private void copy(InputStream body, java.nio.channels.FileChannel channel, PretrainedWeights weights,
                      OptionalLong length) throws IOException {
        MessageDigest sha = sha256();
        long expected = length.orElse(weights.size().orElse(0));
        long received = 0;
        try (Progress shown = Progress.start(progress, "downloading " + weights.model() + " weights", expected, "MiB",
                1 << 20, err)) {
            byte[] buffer = new byte[CHUNK];
            for (int n = body.read(buffer); n >= 0; n = body.read(buffer)) {
                ByteBuffer bytes = ByteBuffer.wrap(buffer, 0, n);
                while (bytes.hasRemaining()) {
                    channel.write(bytes);
                }
                sha.update(buffer, 0, n);
                received += n;
                shown.advance(n);
            }
        } catch (IOException e) {
            throw new IOException("the transfer broke off after " + received + " of "
                    + (length.isPresent() ? length.getAsLong() : "?") + " bytes (" + e.getMessage() + ")", e);
        }
        check(weights, length, received, HexFormat.of().formatHex(sha.digest()));
    }

    /** The checks of a complete transfer; a failure leaves nothing in the cache. */
    private static void check(PretrainedWeights weights, OptionalLong length, long received, String sha) {
        if (length.isPresent() && received != length.getAsLong()) {
            throw new BacklightException("the download of " + weights.url() + " broke off: " + received + " of "
                    + length.getAsLong() + " bytes arrived; nothing was cached; run again to retry");
        }
        if (weights.size().isPresent() && received != weights.size().getAsLong()) {
            throw new BacklightException("the file downloaded from " + weights.url() + " has " + received
                    + " bytes, but " + weights.size().getAsLong() + " are expected (BACKLIGHT_WEIGHTS_SIZE); nothing was"
                    + " cached");
        }
        if (weights.sha256().isPresent() && !weights.sha256().get().equals(sha)) {
            throw new BacklightException("the file downloaded from " + weights.url() + " has SHA-256 " + sha + ", but "
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

    private static BacklightException offlineOrFailed(PretrainedWeights weights, IOException e) {
        boolean offline = e instanceof ConnectException || e instanceof HttpConnectTimeoutException
                || e instanceof UnknownHostException || e.getCause() instanceof UnknownHostException
                || e.getCause() instanceof java.nio.channels.UnresolvedAddressException;
        String reason = e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
        if (offline) {
            return new BacklightException("cannot reach " + weights.url() + " to download the pretrained "
                    + weights.model() + " weights (" + reason + "); offline, " + passWeights(weights), e);
        }
        if (e instanceof HttpTimeoutException) {
            return new BacklightException(weights.url() + " did not answer in " + RESPONSE_TIMEOUT.toSeconds()
                    + " s; " + passWeights(weights), e);
        }
        return new BacklightException("cannot download " + weights.url() + ": " + reason + "; " + passWeights(weights), e);
    }

    private static String passWeights(PretrainedWeights weights) {
        return "download it where there is network (curl -L -o " + weights.model() + ".safetensors " + weights.url()
                + ") and pass --weights " + weights.model() + ".safetensors, or try the pipeline with --weights random";
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }
}
