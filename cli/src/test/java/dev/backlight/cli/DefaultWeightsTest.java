package dev.backlight.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.backlight.api.Shape;
import dev.backlight.api.io.Npy;
import dev.backlight.densenet.DenseNet;
import dev.backlight.densenet.DenseNetConfig;
import dev.backlight.densenet.RandomWeights;
import dev.backlight.densenet.pretrained.PretrainedWeights;
import dev.backlight.densenet.pretrained.WeightsServer;
import dev.backlight.densenet.weights.SafetensorsWriter;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code explain} without {@code --weights}: the default weights are downloaded once from the
 * configured URL (here a local server serving DenseNet-121 weights, through the system properties
 * that stand for {@code BACKLIGHT_WEIGHTS_URL} and {@code BACKLIGHT_CACHE}) into the cache, and
 * give the same maps as the same file passed with {@code --weights}; offline, the run fails at
 * once with one line that says how to pass {@code --weights}.
 */
class DefaultWeightsTest {
    private static final String URL = "backlight.weights.url";
    private static final String CACHE = "backlight.cache";

    @AfterEach
    void clearSettings() {
        System.clearProperty(URL);
        System.clearProperty(CACHE);
    }

    @Test
    void withoutWeightsTheConfiguredFileIsDownloadedOnceAndUsed(@TempDir Path dir) throws IOException {
        Path weights = dir.resolve("densenet121.safetensors");
        SafetensorsWriter.write(weights, RandomWeights.generate(DenseNet.build(DenseNetConfig.DENSENET121, 32, 32), 8)
                .asMap(), Map.of());
        Path input = dir.resolve("x.npy");
        Npy.write(input, TestData.gaussian(Shape.of(1, 3, 32, 32), 3));
        Path cache = dir.resolve("cache");
        try (WeightsServer server = new WeightsServer(Files.readAllBytes(weights))) {
            System.setProperty(URL, server.url().toString());
            System.setProperty(CACHE, cache.toString());

            Cli.Result first = Cli.run("explain", "--model", "densenet121", "--out", dir.resolve("a").toString(), input.toString());
            Cli.Result second = Cli.run("explain", "--model", "densenet121", "--out", dir.resolve("b").toString(), input.toString());

            assertEquals(ExitCodes.OK, first.exitCode(), first::toString);
            assertEquals(ExitCodes.OK, second.exitCode(), second::toString);
            assertEquals(1, server.requests(), "the second run must use the cache");
            assertTrue(first.err().contains("downloading densenet121 weights"), first::toString);
            assertEquals(List.of(".backlight-cache.lock", "densenet121-"), TestData.contents(cache).stream()
                    .map(n -> n.replaceFirst("-[0-9a-f]{12}\\.safetensors$", "-")).toList(),
                    "one cache entry beside the lock file, and no temporary file");
        }
        Cli.Result explicit = Cli.run("explain", "--model", "densenet121", "--weights", weights.toString(),
                "--out", dir.resolve("c").toString(), input.toString());
        assertEquals(ExitCodes.OK, explicit.exitCode(), explicit::toString);
        assertArrayEquals(Npy.read(dir.resolve("c/x.guided-backprop.npy")).data(),
                Npy.read(dir.resolve("a/x.guided-backprop.npy")).data());
        assertTrue(Json.string(dir.resolve("a/x.explain.json"), "weights").startsWith("pretrained densenet121 from http://127.0.0.1:"));
    }

    /**
     * A cached file that passes the cache's own check (its size is what its header says) but not the
     * weights reader (here: a tensor of dtype I64) fails the run with a message that names the cached
     * file to delete. It used to name only the reader's complaint, leaving the user to find the cache.
     */
    @Test
    void aCachedFileTheReaderRefusesIsNamed(@TempDir Path dir) throws IOException {
        System.setProperty(URL, "http://127.0.0.1:9/model.safetensors"); // never asked: the file is cached
        System.setProperty(CACHE, dir.resolve("cache").toString());
        Path cached = PretrainedWeights.forModel("densenet121").orElseThrow().cachedFile();
        Files.createDirectories(cached.getParent());
        byte[] header = "{\"t\":{\"dtype\":\"I64\",\"shape\":[1],\"data_offsets\":[0,8]}}".getBytes(StandardCharsets.UTF_8);
        Files.write(cached, ByteBuffer.allocate(8 + header.length + 8).order(ByteOrder.LITTLE_ENDIAN)
                .putLong(header.length).put(header).putLong(7).array());
        Path input = dir.resolve("x.npy");
        Npy.write(input, TestData.gaussian(Shape.of(1, 3, 32, 32), 3));

        Cli.Result r = Cli.run("explain", "--model", "densenet121", "--out", dir.resolve("out").toString(),
                input.toString());

        assertEquals(ExitCodes.FAILURE, r.exitCode(), r::toString);
        assertEquals(1, r.errorLines().size(), r::toString);
        assertTrue(r.errorLines().get(0).contains("the cached pretrained weights " + cached)
                && r.errorLines().get(0).contains("delete " + cached), r::toString);
        assertTrue(Files.exists(cached), "a file the cache check passes is not deleted by the run");
    }

    @Test
    void offlineFailsAtOnceSayingHowToPassWeights(@TempDir Path dir) throws IOException {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = socket.getLocalPort();
        }
        System.setProperty(URL, "http://127.0.0.1:" + closedPort + "/model.safetensors");
        System.setProperty(CACHE, dir.resolve("cache").toString());
        Path input = dir.resolve("x.npy");
        Npy.write(input, TestData.gaussian(Shape.of(1, 3, 32, 32), 3));
        Path out = dir.resolve("out");

        Cli.Result r = Cli.run("explain", "--model", "densenet121", "--out", out.toString(), input.toString());

        assertEquals(ExitCodes.FAILURE, r.exitCode(), r::toString);
        assertEquals(1, r.errorLines().size(), r::toString);
        assertTrue(r.errorLines().get(0).contains("--weights"), r::toString);
        assertEquals(List.of(), TestData.contents(out));
        assertEquals(List.of(".backlight-cache.lock"), TestData.contents(dir.resolve("cache")), "nothing but the lock file");
    }

    @Test
    void withoutWeightsOrUrlOnlyDenseNet201HasDefaults(@TempDir Path dir) {
        Cli.Result r = Cli.run("explain", "--model", "densenet169", "--out", dir.toString(), "x.npy");

        assertEquals(ExitCodes.USAGE, r.exitCode(), r::toString);
        assertTrue(r.errorLines().get(0).contains("no default weights for --model densenet169"), r::toString);
    }
}
