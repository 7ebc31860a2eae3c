package dev.backlight.cli.soak;

import dev.backlight.api.Shape;
import dev.backlight.api.Tensor;
import dev.backlight.api.Weights;
import dev.backlight.api.backend.Availability;
import dev.backlight.api.backend.Backend;
import dev.backlight.api.backend.BackendOptions;
import dev.backlight.api.backend.BackendProvider;
import dev.backlight.api.backend.CompileOptions;
import dev.backlight.api.backend.CompiledModel;
import dev.backlight.api.graph.Graph;
import dev.backlight.api.rule.ReluRule;

/**
 * A backend for tests of the command line's own costs, named {@value #NAME}: its "model" computes
 * in microseconds what a real one computes in a second — logits that depend on the input (a class
 * per mean brightness) and an input gradient equal to the input scaled by the seed — so that a
 * test can run the whole command (decoding, pictures, files, reports, grid) over hundreds of inputs
 * in seconds. Never on the class path of the tests' own JVM: {@link ChildJvm} adds its service file
 * for the child JVMs that use it.
 *
 * <p>{@code -Dbacklight.test.instant.maxBatch=N} makes it refuse batches of more than N images,
 * for tests of batching; {@code -Dbacklight.test.instant.delayMillis=T} makes each forward pass
 * take T milliseconds more, for tests that need a run to last.
 */
public final class InstantBackendProvider implements BackendProvider {
    /** The backend's name. */
    public static final String NAME = "instant";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public int priority() {
        return -1000;
    }

    @Override
    public Availability availability() {
        return Availability.available("test backend");
    }

    @Override
    public boolean supports(ReluRule rule) {
        return true;
    }

    @Override
    public Backend create(BackendOptions options) {
        return new Backend() {
            @Override
            public String name() {
                return NAME;
            }

            @Override
            public CompiledModel compile(Graph graph, Weights weights, CompileOptions compileOptions) {
                return new Model(graph);
            }

            @Override
            public void close() {
            }
        };
    }

    private static final class Model implements CompiledModel {
        private final Graph graph;
        private final int maxBatch = Integer.getInteger("backlight.test.instant.maxBatch", Integer.MAX_VALUE);
        private final long delayMillis = Long.getLong("backlight.test.instant.delayMillis", 0);
        private Tensor input;

        Model(Graph graph) {
            this.graph = graph;
        }

        @Override
        public Graph graph() {
            return graph;
        }

        @Override
        public String backendName() {
            return NAME;
        }

        @Override
        public Tensor forward(Tensor x) {
            int n = x.shape().dim(0);
            if (n > maxBatch) {
                throw new IllegalStateException("the instant backend got a batch of " + n + " images, more than the "
                        + maxBatch + " this test allows");
            }
            if (delayMillis > 0) {
                try {
                    Thread.sleep(delayMillis);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            input = x;
            int classes = graph.outputShape().dim(0);
            int per = x.data().length / n;
            float[] logits = new float[n * classes];
            for (int i = 0; i < n; i++) {
                double mean = 0;
                for (int j = 0; j < per; j++) {
                    mean += x.data()[i * per + j];
                }
                mean /= per;
                int best = (int) Math.floorMod(Math.round(mean * 1000), classes);
                for (int c = 0; c < classes; c++) {
                    logits[i * classes + c] = c == best ? 5f : (float) Math.sin(c + mean);
                }
            }
            return Tensor.of(Shape.of(n, classes), logits);
        }

        @Override
        public Tensor backward(Tensor seed, ReluRule rule) {
            int n = input.shape().dim(0);
            int classes = seed.shape().dim(1);
            int per = input.data().length / n;
            float[] g = new float[input.data().length];
            for (int i = 0; i < n; i++) {
                float scale = 0;
                for (int c = 0; c < classes; c++) {
                    scale += seed.data()[i * classes + c] * (c % 5 - 2);
                }
                for (int j = 0; j < per; j++) {
                    g[i * per + j] = input.data()[i * per + j] * (scale + 0.5f);
                }
            }
            return Tensor.of(input.shape(), g);
        }

        @Override
        public Tensor activation(String node) {
            throw new IllegalArgumentException("the instant backend observes no node");
        }

        @Override
        public Tensor gradient(String node) {
            throw new IllegalArgumentException("the instant backend observes no node");
        }

        @Override
        public void close() {
            input = null;
        }
    }
}
