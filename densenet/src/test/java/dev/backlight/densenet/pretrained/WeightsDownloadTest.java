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
import java.nio.file.attribute.FileTime;
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
 * transfer broken off halfway (with and without a Content-Length), a wrong size, a wrong and a
 * right SHA-256, a 404, and no server at all (offline). After every failure the cache holds no
 * file, not even a temporary one (only the lock file that stays there). And the cache heals: a
 * killed download's temporary files are deleted by the next fetch, a cached file that is cut short
 * is deleted and downloaded again, and two fetches at once download the file once.
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

    /**
     * Without a Content-Length a dropped connection looks like the end of the body. Such a transfer
     * was cached as it was, cut short, and every later run failed reading it; now a body whose
     * completeness nothing proves is discarded.
     */
    @Test
    void aBodyWithoutALengthThatStopsHalfwayIsNotCached() throws IOException {
        try (UndelimitedServer half = new UndelimitedServer(CONTENT, CONTENT.length / 2)) {
            PretrainedWeights w = weights(half.url(), OptionalLong.empty(), Optional.empty());

            BacklightException e = assertThrows(WeightsDownloadException.class, () -> fetch(w));

            assertTrue(e.getMessage().contains("no Content-Length"), e.getMessage());
            assertTrue(e.getMessage().contains("nothing was cached"), e.getMessage());
            assertTrue(e.getMessage().contains("BACKLIGHT_WEIGHTS_SIZE"), e.getMessage());
            assertEquals(List.of(), contents(cache));
            assertEquals("finished false after " + CONTENT.length / 2 + " bytes", heard.get(heard.size() - 1));
        }
    }

    /** The same body is accepted when the expected size (or hash) says that it is whole, and refused when it is short. */
    @Test
    void aBodyWithoutALengthIsCachedWhenTheExpectedSizeMatches() throws IOException {
        Path file;
        try (UndelimitedServer whole = new UndelimitedServer(CONTENT, CONTENT.length)) {
            file = fetch(weights(whole.url(), OptionalLong.of(CONTENT.length), Optional.empty()));
            assertArrayEquals(CONTENT, Files.readAllBytes(file));
        }
        // Another port is another URL, so another cache entry.
        try (UndelimitedServer half = new UndelimitedServer(CONTENT, CONTENT.length / 2)) {
            BacklightException e = assertThrows(WeightsDownloadException.class,
                    () -> fetch(weights(half.url(), OptionalLong.of(CONTENT.length), Optional.empty())));
            assertTrue(e.getMessage().contains((CONTENT.length / 2) + " bytes, but " + CONTENT.length + " are expected"),
                    e.getMessage());
            assertEquals(List.of(file.getFileName().toString()), contents(cache));
        }
    }

    /** Chunked transfer marks its own end (a drop before the last chunk is an error), so it needs no length. */
    @Test
    void aChunkedBodyIsCached() throws IOException {
        server.mode(WeightsServer.Mode.CHUNKED);

        Path file = fetch(weights(server.url(), OptionalLong.empty(), Optional.empty()));

        assertArrayEquals(CONTENT, Files.readAllBytes(file));
    }

    /**
     * A download killed outright (SIGKILL) leaves its temporary file; it used to stay in the cache
     * for good. The next fetch deletes it (and those named as earlier versions named them), and
     * nothing else.
     */
    @Test
    void theTemporaryFilesOfKilledDownloadsAreDeletedByTheNextFetch() throws IOException {
        Files.createDirectories(cache);
        FileTime earlier = FileTime.fromMillis(System.currentTimeMillis() - 60_000);
        List<String> stale = List.of(".backlight-0123456789abcdef.tmp", ".densenet201-a1b2c3d4e5f6.safetensors.7f3a9c.tmp");
        List<String> others = List.of(".notes.tmp", "mine.safetensors", ".backlight-probe.tmp");
        for (String name : concat(stale, others)) {
            Files.write(cache.resolve(name), new byte[1000]);
            Files.setLastModifiedTime(cache.resolve(name), earlier);
        }
        PretrainedWeights w = weights(server.url(), OptionalLong.empty(), Optional.empty());

        Path file = fetch(w);

        List<String> expected = new java.util.ArrayList<>(others);
        expected.add(file.getFileName().toString());
        assertEquals(expected.stream().sorted().toList(), contents(cache));
    }

    /**
     * A cached file cut short (here: a safetensors file missing its last bytes) used to be used as
     * it was, and every run failed reading it. Now it is checked against its header, deleted and
     * downloaded again.
     */
    @Test
    void aCachedFileCutShortIsDeletedAndDownloadedAgain() throws IOException {
        byte[] safetensors = safetensors(4096);
        try (WeightsServer real = new WeightsServer(safetensors)) {
            PretrainedWeights w = weights(real.url(), OptionalLong.empty(), Optional.empty());
            Files.createDirectories(cache);
            Files.write(w.cachedFile(), java.util.Arrays.copyOf(safetensors, safetensors.length - 100));

            Path file = fetch(w);

            assertEquals(1, real.requests(), "downloaded again");
            assertArrayEquals(safetensors, Files.readAllBytes(file));
            assertEquals(List.of(file.getFileName().toString()), contents(cache));
            assertEquals(1, fetchCountAfterAnotherFetch(w, real), "the whole file is used from the cache");
        }
    }

    private int fetchCountAfterAnotherFetch(PretrainedWeights w, WeightsServer real) {
        fetch(w);
        return real.requests();
    }

    /** Two fetches at once (two threads; two processes take the same file lock): one downloads, the other waits and uses it. */
    @Test
    void twoFetchesAtOnceDownloadOnce() throws Exception {
        server.mode(WeightsServer.Mode.SLOW);
        PretrainedWeights w = weights(server.url(), OptionalLong.empty(), Optional.empty());
        java.util.concurrent.CopyOnWriteArrayList<String> waited = new java.util.concurrent.CopyOnWriteArrayList<>();
        java.util.concurrent.CountDownLatch started = new java.util.concurrent.CountDownLatch(1);
        DownloadListener listener = new DownloadListener() {
            @Override
            public void waiting(String what, String reason) {
                waited.add(what + ": " + reason);
            }

            @Override
            public void started(String what, long totalBytes) {
                started.countDown();
            }

            @Override
            public void transferred(long bytes) {
            }

            @Override
            public void finished(boolean complete) {
            }
        };
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(2);
        try {
            java.util.concurrent.Future<Path> first = pool.submit(() -> new WeightsDownload(listener).fetch(w));
            assertTrue(started.await(30, java.util.concurrent.TimeUnit.SECONDS));
            java.util.concurrent.Future<Path> second = pool.submit(() -> new WeightsDownload(listener).fetch(w));

            assertEquals(first.get(60, java.util.concurrent.TimeUnit.SECONDS),
                    second.get(60, java.util.concurrent.TimeUnit.SECONDS));
        } finally {
            pool.shutdownNow();
        }
        assertEquals(1, server.requests(), "the second fetch waited for the first and used its file");
        assertEquals(1, waited.size(), waited::toString);
        assertTrue(waited.get(0).contains("another backlight process is downloading into " + cache), waited::toString);
        assertArrayEquals(CONTENT, Files.readAllBytes(w.cachedFile()));
    }

    /** A small valid safetensors file: one F32 tensor of {@code n} seeded values. */
    private static byte[] safetensors(int n) {
        byte[] header = ("{\"t\":{\"dtype\":\"F32\",\"shape\":[" + n + "],\"data_offsets\":[0," + 4 * n + "]}}")
                .getBytes(java.nio.charset.StandardCharsets.UTF_8);
        java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(8 + header.length + 4 * n).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        b.putLong(header.length).put(header).put(bytes(4 * n, 5));
        return b.array();
    }

    private static List<String> concat(List<String> a, List<String> b) {
        List<String> all = new java.util.ArrayList<>(a);
        all.addAll(b);
        return all;
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

    /** The files in the cache folder, but for the lock file, which stays there. */
    private static List<String> contents(Path dir) {
        if (!Files.exists(dir)) {
            return List.of();
        }
        try (java.util.stream.Stream<Path> files = Files.list(dir)) {
            return files.map(p -> p.getFileName().toString()).filter(n -> !n.equals(CacheLock.NAME)).sorted().toList();
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
