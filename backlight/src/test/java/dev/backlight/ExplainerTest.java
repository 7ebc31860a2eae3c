package dev.backlight;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.backlight.api.Shape;
import dev.backlight.api.Tensor;
import dev.backlight.api.backend.Backend;
import dev.backlight.api.backend.BackendOptions;
import dev.backlight.api.backend.Backends;
import dev.backlight.api.backend.CompiledModel;
import dev.backlight.api.io.Npy;
import dev.backlight.api.method.Attribution;
import dev.backlight.api.method.ReluRuleMethod;
import dev.backlight.api.method.Target;
import dev.backlight.api.rule.BuiltinRule;
import dev.backlight.api.rule.ReluRule;
import dev.backlight.densenet.DenseNet;
import dev.backlight.densenet.DenseNetConfig;
import dev.backlight.densenet.RandomWeights;
import dev.backlight.densenet.imagenet.ImageLoader;
import dev.backlight.densenet.imagenet.ImageNetLabels;
import dev.backlight.densenet.imagenet.ImageNetPreprocessor;
import dev.backlight.densenet.imagenet.Prediction;
import dev.backlight.api.graph.Graph;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The facade as an application uses it, checked against the lower-level API composed by hand
 * (graph, random weights, the CPU backend, the method): the same photo must give the same logits
 * and maps, bit for bit, whichever door it goes through. DenseNet-121 with seeded random weights
 * keeps the run short.
 */
class ExplainerTest {
    /** The repository's photo (examples/lion.jpg, CC BY 2.0, see examples/lion-ATTRIBUTION.txt). */
    private static final Path LION = Path.of("..", "examples", "lion.jpg");
    private static Explainer explainer;

    @BeforeAll
    static void build() {
        explainer = Explainer.builder().model("densenet121").randomWeights(7).method("guided-backprop").backend("cpu")
                .threads(2).build();
    }

    @AfterAll
    static void close() {
        explainer.close();
    }

    @Test
    void aPhotoGivesTheSameMapsAsTheLowerLevelApi() {
        Explanation e = explainer.explain(LION);

        DenseNetConfig config = DenseNetConfig.DENSENET121;
        Graph graph = DenseNet.build(config, 224, 224);
        Tensor input = ImageNetPreprocessor.standard().toTensor(ImageLoader.read(LION));
        Attribution expected;
        try (Backend backend = Backends.select("cpu").create(BackendOptions.builder().threads(2).build());
             CompiledModel model = backend.compile(graph, RandomWeights.generate(graph, 7))) {
            expected = ReluRuleMethod.guidedBackprop().attribute(model, input, Target.top1());
        }
        assertArrayEquals(expected.logits().data(), e.logits().data(), "logits");
        assertEquals(expected.targetClass(0, 0), e.targetClass());
        assertEquals(Shape.of(1, 3, 224, 224), e.map().shape());
        assertArrayEquals(expected.map(0).data(), e.map().data(), "guided backprop map");
        assertArrayEquals(input.data(), e.pixels().data(), "preprocessing");
    }

    @Test
    void topFiveAreTheSoftmaxOfTheLogitsInOrder() {
        Explanation e = explainer.explain(LION);
        List<Prediction> top = e.top(5);
        float[] z = e.logits().data();
        double max = Double.NEGATIVE_INFINITY;
        for (float v : z) {
            max = Math.max(max, v);
        }
        double sum = 0;
        for (float v : z) {
            sum += Math.exp(v - max);
        }
        assertEquals(5, top.size());
        for (int r = 0; r < 5; r++) {
            Prediction p = top.get(r);
            assertEquals(Math.exp(z[p.classIndex()] - max) / sum, p.probability(), 1e-12);
            assertEquals(ImageNetLabels.load().name(p.classIndex()), p.label());
            if (r > 0) {
                assertTrue(top.get(r - 1).probability() >= p.probability(), "ranked by probability");
            }
        }
        assertEquals(top.get(0).classIndex(), e.targetClass(), "the default target is the top-1 class");
    }

    @Test
    void aChosenClassIsExplainedAndDiffersFromTheTopOne() {
        Explanation top1 = explainer.explain(LION);
        int other = top1.targetClass() == 291 ? 292 : 291;
        Explanation chosen = explainer.explain(LION, other);
        assertEquals(other, chosen.targetClass());
        assertArrayEquals(top1.logits().data(), chosen.logits().data());
        assertFalse(java.util.Arrays.equals(top1.map().data(), chosen.map().data()), "another class, another map");
    }

    @Test
    void topKTargetsGiveOneMapPerRank() {
        Explanation e = explainer.explain(LION, Target.topK(3));
        int[] classes = e.targetClasses();
        assertEquals(3, classes.length);
        for (int r = 0; r < 3; r++) {
            assertEquals(e.top(3).get(r).classIndex(), classes[r]);
            assertEquals(Shape.of(1, 3, 224, 224), e.map(r).shape());
        }
    }

    @Test
    void picturesAndNpyFilesAreWritten(@TempDir Path dir) throws IOException {
        Explanation e = explainer.explain(LION);
        Path png = dir.resolve("lion.overlay.png");
        Path npy = dir.resolve("lion.npy");
        e.savePicture(png, "overlay");
        e.saveNpy(npy);

        BufferedImage picture = ImageIO.read(png.toFile());
        assertEquals(224, picture.getWidth());
        assertEquals(224, picture.getHeight());
        assertTrue(e.warning().isPresent(), "random weights carry a warning");
        assertArrayEquals(e.map().data(), Npy.read(npy).data());
        try (var files = Files.list(dir)) {
            assertEquals(2, files.count(), "no temporary file left");
        }
        assertThrows(IllegalArgumentException.class, () -> e.picture("pie"));
    }

    @Test
    void picturesTensorsAndFilesAgree() {
        BufferedImage decoded = ImageLoader.read(LION);
        Explanation fromFile = explainer.explain(LION);
        Explanation fromPicture = explainer.explain(decoded);
        Explanation fromTensor = explainer.explain(fromFile.pixels());
        assertArrayEquals(fromFile.map().data(), fromPicture.map().data());
        assertArrayEquals(fromFile.map().data(), fromTensor.map().data());
        assertNotNull(fromTensor.picture("overlay"), "a tensor input is drawn from the tensor itself");
    }

    @Test
    void explainAllStreamsAndKeepsABadFileAsAResult(@TempDir Path dir) throws IOException {
        Path corrupt = dir.resolve("corrupt.jpg");
        Files.write(corrupt, new byte[] {(byte) 0xFF, (byte) 0xD8, 1, 2, 3});
        Path missing = dir.resolve("missing.png");
        List<ExplanationResult> results = explainer.explainAll(List.of(LION, corrupt, missing, LION), Target.top1()).toList();

        assertEquals(4, results.size());
        assertTrue(results.get(0).ok());
        assertFalse(results.get(1).ok());
        assertTrue(results.get(1).error().getMessage().contains("corrupt.jpg"), results.get(1).error().getMessage());
        assertFalse(results.get(2).ok());
        assertTrue(results.get(3).ok());
        assertArrayEquals(explainer.explain(LION).map().data(), results.get(3).explanation().map().data());
    }

    @Test
    void concurrentCallsGiveTheSameMaps() throws Exception {
        float[] alone = explainer.explain(LION).map().data();
        ExecutorService pool = Executors.newFixedThreadPool(3);
        try {
            List<Future<float[]>> futures = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                futures.add(pool.submit(() -> explainer.explain(LION).map().data()));
            }
            for (Future<float[]> f : futures) {
                assertArrayEquals(alone, f.get());
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void gradCamNeedsNoCompileOptionsFromTheCaller() {
        try (Explainer cam = Explainer.builder().model("densenet121").randomWeights(7).method("grad-cam").backend("cpu")
                .threads(2).build()) {
            Explanation e = cam.explain(LION);
            assertEquals(1, e.map().shape().dim(1), "a class-activation map has one channel");
            assertEquals(224, e.map().shape().dim(2));
        }
    }

    @Test
    void aCustomRuleNeverLandsOnABackendThatRefusesIt() {
        ReluRule custom = ReluRule.pointwise("test-positive", (x, dy) -> x > 0 ? Math.abs(dy) : 0f);
        try (Explainer e = Explainer.builder().model("densenet121").randomWeights(7)
                .method(new ReluRuleMethod("test-positive", "a test rule", custom)).threads(2).build()) {
            assertEquals("cpu", e.backendName(), e.backendSelection().report());
        }
        assertEquals(List.of(BuiltinRule.GUIDED, BuiltinRule.VANILLA),
                dev.backlight.api.method.AttributionMethods.byId("guided-grad-cam").rules());
    }

    @Test
    void badSettingsAreRefusedBeforeAnythingLoads() {
        assertThrows(IllegalArgumentException.class, () -> Explainer.builder().model("resnet50").randomWeights(0).build());
        assertThrows(IllegalArgumentException.class, () -> Explainer.builder().method("no-such-method").randomWeights(0).build());
        assertThrows(IllegalArgumentException.class,
                () -> Explainer.builder().method("guided-backprop", java.util.Map.of("samples", "3")).randomWeights(0).build());
        assertThrows(dev.backlight.api.WeightsFormatException.class,
                () -> Explainer.builder().weights(Path.of("no-such-file.safetensors")).build());
    }

    @Test
    void aClosedExplainerRefusesWork() {
        Explainer e = Explainer.builder().model("densenet121").randomWeights(7).backend("cpu").build();
        e.close();
        e.close();
        assertThrows(IllegalStateException.class, () -> e.explain(LION));
    }
}
