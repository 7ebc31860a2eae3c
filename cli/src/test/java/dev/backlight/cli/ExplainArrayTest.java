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
        assertEquals(List.of(".backlight-run.json", "x.explain.json", "x.guided-backprop.npy", "x.logits.npy"), TestData.contents(out));
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
        assertEquals(List.of(".backlight-run.json", "x.explain.json", "x.guided-backprop.top1.npy", "x.guided-backprop.top2.npy", "x.logits.npy"),
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
        assertTrue(r.err().lines().anyMatch(l -> l.startsWith("explain: 2/2 files (100%), ")), r::toString);
        assertEquals(List.of(".backlight-run.json", "x.explain.json", "x.gradient.npy", "x.logits.npy", "y.explain.json", "y.gradient.npy",
                "y.logits.npy"), TestData.contents(out));
        assertEquals(Shape.of(1, 3, 32, 32), Npy.read(out.resolve("y.gradient.npy")).shape());
    }

    /**
     * Input and output by the {@code .npy} specification itself: a version 2.0 input (4-byte
     * header length) gives the same maps, and the outputs are {@code <f4}, C order, with the data
     * aligned to 64 bytes; with NumPy installed, {@code np.load} reads them too.
     */
    @Test
    void npyVersion2InputAndSpecCompliantOutputs(@TempDir Path out, @TempDir Path in) throws Exception {
        Path v2 = in.resolve("x.npy");
        NpyFormat.write(v2, 2, SHAPE.dims(), input.data());

        Cli.Result r = Cli.run("explain", "--weights", "random:" + SEED, "--model", "densenet121", "--out", out.toString(),
                v2.toString());

        assertEquals(ExitCodes.OK, r.exitCode(), r::toString);
        NpyFormat.Parsed map = NpyFormat.parse(out.resolve("x.guided-backprop.npy"));
        assertEquals("<f4", map.descr());
        assertFalse(map.fortran());
        assertEquals(List.of(2, 3, 64, 64), java.util.Arrays.stream(map.shape()).boxed().toList());
        assertClose(top1.map(0), Tensor.of(SHAPE, map.data()), "map of a version 2.0 input");
        NpyFormat.Parsed logits = NpyFormat.parse(out.resolve("x.logits.npy"));
        assertClose(top1.logits(), Tensor.of(Shape.of(2, 1000), logits.data()), "logits");

        assumeTrue(numpyAvailable(), "NumPy is not installed (/usr/bin/python3 -c 'import numpy')");
        Process p = new ProcessBuilder("/usr/bin/python3", "-c",
                "import numpy as np, sys; a = np.load(sys.argv[1]); "
                        + "assert a.dtype == np.dtype('<f4') and a.flags['C_CONTIGUOUS'] and a.shape == (2, 3, 64, 64); "
                        + "print(repr(float(a.astype(np.float64).sum())))",
                out.resolve("x.guided-backprop.npy").toString()).redirectErrorStream(true).start();
        String printed = new String(p.getInputStream().readAllBytes()).strip();
        assertEquals(0, p.waitFor(), printed);
        double sum = 0;
        for (float v : map.data()) {
            sum += v;
        }
        assertEquals(sum, Double.parseDouble(printed), 1e-9 * Math.max(1, Math.abs(sum)), "NumPy's sum of the map");
    }

    private static boolean numpyAvailable() {
        try {
            return new ProcessBuilder("/usr/bin/python3", "-c", "import numpy").start().waitFor() == 0;
        } catch (Exception e) {
            return false;
        }
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
