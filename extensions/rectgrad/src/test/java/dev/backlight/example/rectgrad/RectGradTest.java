package dev.backlight.example.rectgrad;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.backlight.api.Shape;
import dev.backlight.api.Tensor;
import dev.backlight.api.backend.Backend;
import dev.backlight.api.backend.BackendOptions;
import dev.backlight.api.backend.Backends;
import dev.backlight.api.backend.CompiledModel;
import dev.backlight.api.graph.Graph;
import dev.backlight.api.graph.GraphBuilder;
import dev.backlight.api.method.AttributionMethod;
import dev.backlight.api.method.AttributionMethods;
import dev.backlight.api.method.Target;
import dev.backlight.api.rule.ReluRule;
import dev.backlight.api.rule.ReluRules;
import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The extension as a user would use it: found by id, run on whatever backend can run it. */
class RectGradTest {
    @Test
    void ruleAndMethodAreFoundByIdWithoutTouchingCoreCode() {
        ReluRule rule = ReluRules.byId("rectgrad");
        assertTrue(rule instanceof RectGradRule);
        AttributionMethod method = AttributionMethods.byId("rectgrad");
        assertEquals(java.util.List.of(rule), method.rules());
    }

    @Test
    void runsOnTheSelectedBackendAndFollowsTheFormula() {
        AttributionMethod method = AttributionMethods.byId("rectgrad");
        // Automatic selection among the providers found, whatever backlight.backend or BACKLIGHT_BACKEND say:
        // a backend that cannot run custom rules (CUDA) is skipped with a warning; the CPU backend can.
        var selection = Backends.select(Backends.providers(), null, null, null, method.rules());
        assertEquals("cpu", selection.chosen().name());
        GraphBuilder g = new GraphBuilder("relu", 2, 3, 3);
        g.relu("relu", 0);
        Graph graph = g.build();
        SplittableRandom rnd = new SplittableRandom(3);
        float[] x = new float[18];
        float[] dy = new float[18];
        for (int i = 0; i < 18; i++) {
            x[i] = (float) rnd.nextDouble(-1, 1);
            dy[i] = (float) rnd.nextDouble(-1, 1);
        }
        try (Backend backend = selection.create(BackendOptions.defaults());
             CompiledModel m = backend.compile(graph, dev.backlight.api.Weights.of(Map.of(), "none"))) {
            m.forward(Tensor.of(Shape.of(1, 2, 3, 3), x));
            float[] dx = m.backward(Tensor.of(Shape.of(1, 2, 3, 3), dy), method.rules().get(0)).data();
            int passed = 0;
            for (int i = 0; i < 18; i++) {
                float expected = Math.max(x[i], 0) * dy[i] > 0 ? dy[i] : 0;
                assertEquals(expected, dx[i], 0f);
                passed += expected != 0 ? 1 : 0;
            }
            assertTrue(passed > 0 && passed < 18, "the check needs both passed and blocked elements");
        }
    }

    @Test
    void isUsableFromTheCliByName(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) {
        java.nio.file.Path x = dir.resolve("x.npy");
        SplittableRandom rnd = new SplittableRandom(5);
        float[] v = new float[3 * 64 * 64];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) rnd.nextDouble(-2, 2);
        }
        dev.backlight.api.io.Npy.write(x, Tensor.of(Shape.of(1, 3, 64, 64), v));
        var err = new java.io.StringWriter();
        var cli = dev.backlight.cli.Backlight.commandLine();
        cli.setOut(new java.io.PrintWriter(new java.io.StringWriter(), true));
        cli.setErr(new java.io.PrintWriter(err, true));
        int code = cli.execute("explain", "--method", "rectgrad", "--weights", "random", "--model", "densenet121",
                "--out", dir.resolve("out").toString(), x.toString());
        assertEquals(0, code, err.toString());
        Tensor map = dev.backlight.api.io.Npy.read(dir.resolve("out/x.rectgrad.npy"));
        assertEquals(Shape.of(1, 3, 64, 64), map.shape());
    }

    @Test
    void aThresholdBlocksSmallProducts() {
        RectGradRule strict = new RectGradRule(0.5f);
        float[] dx = new float[3];
        strict.backward(new dev.backlight.api.rule.ReluSite("relu", 0, 1, Shape.of(3)), new float[] {0.6f, 0.6f, -2f},
                new float[] {0.5f, 0.9f, -2f}, dx);
        // 0.6 * 0.5 = 0.3 is not above 0.5; 0.6 * 0.9 = 0.54 is; a negative input blocks whatever the product.
        assertEquals(0f, dx[0], 0f);
        assertEquals(0.9f, dx[1], 0f);
        assertEquals(0f, dx[2], 0f);
    }
}
