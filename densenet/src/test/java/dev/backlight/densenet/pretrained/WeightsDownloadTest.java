package dev.backlight.densenet.pretrained;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.backlight.api.BacklightException;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The pretrained-weights download against a local HTTP server: one download then the cache, a
 * transfer broken off halfway, a wrong size, a wrong and a right SHA-256, a 404, and no server at
 * all (offline). After every failure the cache holds no file, not even a temporary one.
 */
class WeightsDownloadTest {
    private static final byte[] CONTENT = bytes(300_000, 9);

    @TempDir
    Path cache;

    private WeightsServer server;
    /** What the listener heard: "started <what> <total>", "+<bytes>" summed per transfer, "finished <complete>". */
    private final List<String> heard = new java.util.ArrayList<>();
    private long transferred;

    @BeforeEach
    void startServer() throws IOException {
        server = new WeightsServer(CONTENT);
    }

    @AfterEach
    void stopServer() {
        server.close();
    }

    private PretrainedWeights weights(URI url, OptionalLong size, Optional<String> sha) {
        return new PretrainedWeights("densenet121", url, size, sha, cache);
    }

    private Path fetch(PretrainedWeights weights) {
        return new WeightsDownload(new DownloadListener() {
            @Override
            public void started(String what, long totalBytes) {
                heard.add("started " + what + " " + totalBytes);
            }

            @Override
            public void transferred(long bytes) {
                transferred += bytes;
            }

            @Override
            public void finished(boolean complete) {
                heard.add("finished " + complete + " after " + transferred + " bytes");
            }
        }).fetch(weights);
    }

    @Test
    void downloadsOnceThenUsesTheCache() throws IOException {
        PretrainedWeights w = weights(server.url(), OptionalLong.empty(), Optional.empty());

        Path first = fetch(w);
        Path second = fetch(w);

        assertEquals(first, second);
        assertEquals(1, server.requests(), "the second fetch must come from the cache");
        assertArrayEquals(CONTENT, Files.readAllBytes(first));
        assertEquals(List.of(first.getFileName().toString()), contents(cache), "temporary files left");
        assertEquals(List.of("started densenet121 weights " + CONTENT.length, "finished true after " + CONTENT.length + " bytes"),
                heard, "one download, reported to the listener; the second fetch uses the cache");
    }

    @Test
    void anInterruptedTransferCachesNothing() {
        server.mode(WeightsServer.Mode.HALF_THEN_CLOSE);
        PretrainedWeights w = weights(server.url(), OptionalLong.empty(), Optional.empty());

        BacklightException e = assertThrows(BacklightException.class, () -> fetch(w));

        assertTrue(e.getMessage().contains("broke off"), e.getMessage());
        assertTrue(e.getMessage().contains("nothing was cached"), e.getMessage());
        assertEquals(List.of(), contents(cache));
    }

    @Test
    void aWrongSizeCachesNothing() {
        PretrainedWeights w = weights(server.url(), OptionalLong.of(CONTENT.length + 1L), Optional.empty());

        BacklightException e = assertThrows(BacklightException.class, () -> fetch(w));

        assertTrue(e.getMessage().contains(CONTENT.length + " bytes, but " + (CONTENT.length + 1) + " are expected"),
                e.getMessage());
        assertEquals(List.of(), contents(cache));
    }

    @Test
    void aWrongHashCachesNothingAndTheRightOneIsAccepted() throws Exception {
        PretrainedWeights wrong = weights(server.url(), OptionalLong.empty(), Optional.of("0".repeat(64)));
        BacklightException e = assertThrows(BacklightException.class, () -> fetch(wrong));
        assertTrue(e.getMessage().contains("SHA-256"), e.getMessage());
        assertEquals(List.of(), contents(cache));

        String sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(CONTENT));
        Path file = fetch(weights(server.url(), OptionalLong.of(CONTENT.length), Optional.of(sha)));
        assertArrayEquals(CONTENT, Files.readAllBytes(file));
    }

    @Test
    void notFoundSaysHowToPassWeights() {
        server.mode(WeightsServer.Mode.NOT_FOUND);

        BacklightException e = assertThrows(BacklightException.class,
                () -> fetch(weights(server.url(), OptionalLong.empty(), Optional.empty())));

        assertTrue(e.getMessage().contains("HTTP 404"), e.getMessage());
        assertTrue(e.getMessage().contains("give that file as the weights"), e.getMessage());
        assertTrue(e instanceof WeightsDownloadException, e.getClass().getName());
        assertEquals(List.of(), contents(cache));
    }

    @Test
    void offlineFailsFastWithOneLineAboutWeights() throws IOException {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = socket.getLocalPort();
        }
        PretrainedWeights w = weights(URI.create("http://127.0.0.1:" + closedPort + "/model.safetensors"),
                OptionalLong.empty(), Optional.empty());

        long start = System.nanoTime();
        BacklightException e = assertThrows(BacklightException.class, () -> fetch(w));

        assertTrue((System.nanoTime() - start) / 1e9 < 10, "took too long to notice");
        assertTrue(e.getMessage().contains("offline"), e.getMessage());
        assertTrue(e.getMessage().contains("give that file as the weights"), e.getMessage());
        assertTrue(e instanceof WeightsDownloadException, e.getClass().getName());
        assertTrue(e.getMessage().lines().count() == 1, e.getMessage());
    }

    @Test
    void theCacheFileDependsOnTheUrl() {
        PretrainedWeights a = weights(URI.create("https://example.org/a.safetensors"), OptionalLong.empty(), Optional.empty());
        PretrainedWeights b = weights(URI.create("https://example.org/b.safetensors"), OptionalLong.empty(), Optional.empty());

        assertTrue(a.cachedFile().getFileName().toString().matches("densenet121-[0-9a-f]{12}\\.safetensors"));
        assertTrue(!a.cachedFile().equals(b.cachedFile()));
    }

    private static List<String> contents(Path dir) {
        if (!Files.exists(dir)) {
            return List.of();
        }
        try (java.util.stream.Stream<Path> files = Files.list(dir)) {
            return files.map(p -> p.getFileName().toString()).sorted().toList();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static byte[] bytes(int n, long seed) {
        byte[] b = new byte[n];
        SplittableRandom random = new SplittableRandom(seed);
        for (int i = 0; i < n; i++) {
            b[i] = (byte) random.nextInt(256);
        }
        return b;
    }
}
