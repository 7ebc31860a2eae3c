package dev.backlight.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.backlight.api.Shape;
import dev.backlight.api.Tensor;
import dev.backlight.api.Weights;
import dev.backlight.api.backend.Backend;
import dev.backlight.api.backend.BackendOptions;
import dev.backlight.api.backend.Backends;
import dev.backlight.api.backend.CompiledModel;
import dev.backlight.api.graph.Graph;
import dev.backlight.api.io.Npy;
import dev.backlight.api.method.Attribution;
import dev.backlight.api.method.AttributionMethod;
import dev.backlight.api.method.AttributionMethods;
import dev.backlight.api.method.Target;
import dev.backlight.densenet.DenseNet;
import dev.backlight.densenet.DenseNetConfig;
import dev.backlight.densenet.RandomWeights;
import dev.backlight.densenet.weights.SafetensorsWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code explain} on a {@code .npy} array: its files must hold exactly what the library computes
 * for the same weights, input and target, which shows that the command wires the method, the
 * targets and the outputs correctly.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ExplainArrayTest {
    private static final Shape SHAPE = Shape.of(2, 3, 64, 64);
    private static final long SEED = 7;
    private static final double TOLERANCE = 1e-6;

    private Path inputs;
    private Path array;
    private Tensor input;
    private Graph graph;
    private Attribution top1;
    private Attribution class5;
    private Attribution top2;

    @BeforeAll
    void computeWithTheLibrary(@TempDir Path folder) {
        inputs = folder;
        input = TestData.gaussian(SHAPE, 11);
        array = folder.resolve("x.npy");
        Npy.write(array, input);
        graph = DenseNet.build(DenseNetConfig.DENSENET121, 64, 64);
        Weights weights = RandomWeights.generate(graph, SEED);
        AttributionMethod guided = AttributionMethods.byId("guided-backprop");
        try (Backend backend = Backends.select("cpu").create(BackendOptions.defaults());
             CompiledModel model = backend.compile(graph, weights)) {
            top1 = guided.attribute(model, input, Target.top1());
            class5 = guided.attribute(model, input, Target.classes(5));
            top2 = guided.attribute(model, input, Target.topK(2));
        }
    }

    private Cli.Result explain(Path out, String... options) {
        String[] args = new String[options.length + 6];
        args[0] = "explain";
        System.arraycopy(options, 0, args, 1, options.length);
        int i = options.length + 1;
        args[i++] = "--model";
        args[i++] = "densenet121";
        args[i++] = "--out";
        args[i++] = out.toString();
        args[i] = array.toString();
        return Cli.run(args);
    }

    @Test
    void top1WritesTheLogitsAndMapsTheLibraryComputes(@TempDir Path out) {
        Cli.Result r = explain(out, "--weights", "random:" + SEED);

        assertEquals(ExitCodes.OK, r.exitCode(), r::toString);
        assertEquals(List.of("x.explain.json", "x.guided-backprop.npy", "x.logits.npy"), TestData.contents(out));
        Tensor logits = Npy.read(out.resolve("x.logits.npy"));
        Tensor map = Npy.read(out.resolve("x.guided-backprop.npy"));
        assertEquals(Shape.of(2, 1000), logits.shape());
        assertEquals(SHAPE, map.shape());
        assertClose(top1.logits(), logits, "logits");
        assertClose(top1.map(0), map, "guided-backprop map");

        assertTrue(r.err().contains("WARNING: random weights (seed 7): these maps do not reflect a trained model"), r::toString);
        Path report = out.resolve("x.explain.json");
        assertEquals("random:7", Json.string(report, "weights"));
        assertTrue(Json.string(report, "warning").contains("random weights"));
        assertEquals("densenet121", Json.string(report, "model"));
        assertEquals("guided-backprop", Json.string(report, "method"));
        assertEquals("cpu", Json.string(report, "backend"));
        assertEquals("x.logits.npy", Json.string(report, "logits"));
        for (int i = 0; i < 2; i++) {
            int c = top1.targetClass(i, 0);
            assertTrue(r.out().contains("x.npy[" + i + "]  (guided-backprop, class " + c + " "), r::toString);
        }
    }

    @Test
    void aGivenClassIsExplainedInsteadOfTheTopOne(@TempDir Path out) {
        assumeTrue(top1.targetClass(0, 0) != 5 || top1.targetClass(1, 0) != 5, "class 5 is the top-1 of both images");
        Cli.Result r = explain(out, "--weights", "random:" + SEED, "--class", "5");

        assertEquals(ExitCodes.OK, r.exitCode(), r::toString);
        Tensor map = Npy.read(out.resolve("x.guided-backprop.npy"));
        assertClose(class5.map(0), map, "class-5 map");
        assertTrue(TestData.relativeL2(map.data(), top1.map(0).data()) > 1e-3, "the class-5 map equals the top-1 map");
        assertEquals(List.of(5, 5), targetClasses(out));
        assertEquals("class 5", Json.string(out.resolve("x.explain.json"), "target"));
    }

    @Test
    void topKWritesOneMapPerRank(@TempDir Path out) {
        Cli.Result r = explain(out, "--weights", "random:" + SEED, "--top-k", "2");

        assertEquals(ExitCodes.OK, r.exitCode(), r::toString);
        assertEquals(List.of("x.explain.json", "x.guided-backprop.top1.npy", "x.guided-backprop.top2.npy", "x.logits.npy"),
                TestData.contents(out));
        assertClose(top2.map(0), Npy.read(out.resolve("x.guided-backprop.top1.npy")), "rank-1 map");
        assertClose(top2.map(1), Npy.read(out.resolve("x.guided-backprop.top2.npy")), "rank-2 map");
        assertClose(top1.map(0), Npy.read(out.resolve("x.guided-backprop.top1.npy")), "rank-1 map against top-1");
        assertEquals(List.of(top2.targetClass(0, 0), top2.targetClass(0, 1), top2.targetClass(1, 0), top2.targetClass(1, 1)),
                targetClasses(out));
    }

    @Test
    void aSafetensorsFileGivesTheSameResultsAsTheSameRandomWeights(@TempDir Path out, @TempDir Path files) {
        Path weights = files.resolve("densenet121-seed7.safetensors");
        SafetensorsWriter.write(weights, RandomWeights.generate(graph, SEED).asMap(), Map.of("note", "test weights"));

        Cli.Result r = explain(out, "--weights", weights.toString());

        assertEquals(ExitCodes.OK, r.exitCode(), r::toString);
        assertClose(top1.logits(), Npy.read(out.resolve("x.logits.npy")), "logits");
        assertClose(top1.map(0), Npy.read(out.resolve("x.guided-backprop.npy")), "map");
        assertFalse(r.err().contains("WARNING"), r::toString);
        Path report = out.resolve("x.explain.json");
        assertEquals(weights.toString(), Json.string(report, "weights"));
        assertNull(Json.string(report, "warning"));
    }

    @Test
    void severalBatchesReportProgress(@TempDir Path out) {
        Path second = inputs.resolve("y.npy");
        Npy.write(second, TestData.gaussian(Shape.of(1, 3, 32, 32), 12));

        Cli.Result r = Cli.run("explain", "--weights", "random", "--model", "densenet121", "--method", "gradient",
                "--out", out.toString(), array.toString(), second.toString());

        assertEquals(ExitCodes.OK, r.exitCode(), r::toString);
        assertTrue(r.err().contains("batch 1/2: 2 images, "), r::toString);
        assertTrue(r.err().contains("batch 2/2: 1 image, "), r::toString);
        assertEquals(List.of("x.explain.json", "x.gradient.npy", "x.logits.npy", "y.explain.json", "y.gradient.npy",
                "y.logits.npy"), TestData.contents(out));
        assertEquals(Shape.of(1, 3, 32, 32), Npy.read(out.resolve("y.gradient.npy")).shape());
    }

    /** The explained class of every image and rank, from the report. */
    private static List<Integer> targetClasses(Path out) {
        return Json.ints(out.resolve("x.explain.json"), "targets", "class");
    }

    private static void assertClose(Tensor expected, Tensor actual, String what) {
        assertEquals(expected.shape(), actual.shape(), what);
        double error = TestData.relativeL2(actual.data(), expected.data());
        assertTrue(error <= TOLERANCE, what + ": relative L2 error " + error + " > " + TOLERANCE);
    }
}
