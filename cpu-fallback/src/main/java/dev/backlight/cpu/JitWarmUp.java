package dev.backlight.cpu;

import dev.backlight.api.Shape;
import dev.backlight.api.Tensor;
import dev.backlight.api.Weights;
import dev.backlight.api.backend.CompiledModel;
import dev.backlight.api.graph.Graph;
import dev.backlight.api.graph.GraphBuilder;
import dev.backlight.api.graph.Parameter;
import dev.backlight.api.rule.BuiltinRule;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Gets the JIT compiler going while a caller is still busy elsewhere (reading weights, building the
 * plan, decoding images): a daemon thread runs a small network with every kind of step the backend
 * has (convolutions large and small, fused batch norm + ReLU, both poolings, a concatenation, the
 * classifier) forward and backward under each built-in rule, on its own single worker. It computes
 * nothing anyone reads: it only makes the kernels' code hot, so that the first real attribution does
 * not run them interpreted while C2 compiles them. It stops once another model's forward pass has
 * begun (after at most {@value #RUNS} runs), so it competes with real work only briefly. Opt-in with the backend property {@value #PROPERTY}{@code =true}: it costs a
 * core for a second or two, which a one-shot command gains back and a long-running server does not need.
 */
final class JitWarmUp {
    /** The {@link dev.backlight.api.backend.BackendOptions} property that turns the warm-up on. */
    static final String PROPERTY = "cpu.warmup";
    /** At most this many runs; the warm-up stops sooner once real work has started. */
    private static final int RUNS = 8;
    /** Set when a model of another backend than the warm-up's own runs a forward pass. */
    private static volatile boolean realWorkStarted;
    /** The warm-up's own workers: their forward passes are not real work. */
    private static volatile Workers own;
    /** Warm-ups started and finished in this JVM (for tests). */
    static final java.util.concurrent.atomic.AtomicInteger STARTED = new java.util.concurrent.atomic.AtomicInteger();
    static final java.util.concurrent.atomic.AtomicInteger FINISHED = new java.util.concurrent.atomic.AtomicInteger();

    private JitWarmUp() {
    }

    /** Notes that a forward pass runs on {@code workers}; the warm-up ends after its current run if it is real work. */
    static void realWorkStarted(Workers workers) {
        if (workers != own && !realWorkStarted) {
            realWorkStarted = true;
        }
    }

    /** Starts the warm-up on a daemon thread and returns at once. */
    static void start() {
        realWorkStarted = false;
        Thread thread = new Thread(JitWarmUp::run, "backlight-cpu-warm-up");
        thread.setDaemon(true);
        thread.setPriority(Thread.MIN_PRIORITY);
        STARTED.incrementAndGet();
        thread.start();
    }

    private static void run() {
        Graph graph = network();
        try (CpuBackend backend = new CpuBackend(1); CompiledModel model = backend.compile(graph, weights(graph))) {
            own = backend.workers();
            Tensor x = Tensor.of(Shape.of(1, 3, 64, 64), values(3 * 64 * 64, new SplittableRandom(1), 1));
            Tensor seed = Tensor.of(Shape.of(1, 10), values(10, new SplittableRandom(2), 1));
            for (int i = 0; i < RUNS && (i == 0 || !realWorkStarted); i++) {
                model.forward(x);
                for (BuiltinRule rule : BuiltinRule.values()) {
                    model.backward(seed, rule);
                }
            }
        } catch (RuntimeException | OutOfMemoryError e) {
            // A warm-up is an optimisation: if it cannot run, the real work simply starts cold.
            System.getLogger(JitWarmUp.class.getName()).log(System.Logger.Level.DEBUG, "JIT warm-up stopped: " + e);
        } finally {
            FINISHED.incrementAndGet();
        }
    }

    /** A DenseNet-like network: the stem, a two-layer dense block, a transition, pooling and the classifier. */
    private static Graph network() {
        GraphBuilder g = new GraphBuilder("warm-up", 3, 64, 64);
        int x = g.conv2d("conv0", 0, 64, 7, 2, 3, false);
        x = g.relu("relu0", g.batchNorm("norm0", x, 1e-5f));
        x = g.maxPool("pool0", x, 3, 2, 1);
        int block = x;
        for (int layer = 1; layer <= 2; layer++) {
            int y = g.relu("l" + layer + ".relu1", g.batchNorm("l" + layer + ".norm1", block, 1e-5f));
            y = g.conv2d("l" + layer + ".conv1", y, 128, 1, 1, 0, false);
            y = g.relu("l" + layer + ".relu2", g.batchNorm("l" + layer + ".norm2", y, 1e-5f));
            y = g.conv2d("l" + layer + ".conv2", y, 32, 3, 1, 1, false);
            block = g.concat("l" + layer + ".cat", List.of(block, y));
        }
        x = g.relu("t.relu", g.batchNorm("t.norm", block, 1e-5f));
        x = g.avgPool("t.pool", g.conv2d("t.conv", x, 64, 1, 1, 0, false), 2, 2, 0);
        x = g.relu("relu5", g.batchNorm("norm5", x, 1e-5f));
        g.linear("fc", g.globalAvgPool("gap", x), 10, true);
        return g.build();
    }

    private static Weights weights(Graph graph) {
        SplittableRandom rnd = new SplittableRandom(3);
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        for (Parameter p : graph.parameters()) {
            boolean variance = p.name().endsWith("running_var");
            float[] v = values(p.shape().size(), rnd, 0.1);
            if (variance) {
                for (int i = 0; i < v.length; i++) {
                    v[i] = 0.5f + Math.abs(v[i]);
                }
            }
            tensors.put(p.name(), Tensor.of(p.shape(), v));
        }
        return Weights.of(tensors, "warm-up");
    }

    private static float[] values(int n, SplittableRandom rnd, double scale) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) ((rnd.nextDouble() * 2 - 1) * scale);
        }
        return v;
    }
}
