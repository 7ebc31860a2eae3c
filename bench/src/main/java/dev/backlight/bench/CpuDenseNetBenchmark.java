package dev.backlight.bench;

import dev.backlight.api.Shape;
import dev.backlight.api.Tensor;
import dev.backlight.api.backend.Backend;
import dev.backlight.api.backend.BackendOptions;
import dev.backlight.api.backend.Backends;
import dev.backlight.api.backend.CompiledModel;
import dev.backlight.api.graph.Graph;
import dev.backlight.api.method.Attribution;
import dev.backlight.api.method.AttributionMethod;
import dev.backlight.api.method.AttributionMethods;
import dev.backlight.api.method.Target;
import dev.backlight.densenet.DenseNet;
import dev.backlight.densenet.DenseNetConfig;
import dev.backlight.densenet.RandomWeights;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * DenseNet-201 at 224×224 on a backend (the CPU backend by default): the forward pass alone, and
 * a whole attribution (forward + one backward for each image's top-1 class). Each invocation is
 * one batch; JMH reports ms per batch. Seeded random weights: speed does not depend on values.
 *
 * <p>Run: {@code java -jar bench/target/benchmarks.jar CpuDenseNet -p batch=1,8}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3)
@Measurement(iterations = 7)
@Fork(value = 1, jvmArgsAppend = {"-Xmx12g", "--add-modules=jdk.incubator.vector"})
public class CpuDenseNetBenchmark {
    @Param({"1", "8"})
    public int batch;

    @Param({"guided-backprop"})
    public String method;

    @Param({"cpu"})
    public String backend;

    /** Worker threads; 0 means all cores. */
    @Param({"0"})
    public int threads;

    private Backend engine;
    private CompiledModel model;
    private AttributionMethod attribution;
    private Tensor input;

    @Setup(Level.Trial)
    public void setUp() {
        Graph graph = DenseNet.build(DenseNetConfig.DENSENET201, 224, 224);
        engine = Backends.select(backend).create(BackendOptions.builder().threads(threads).build());
        model = engine.compile(graph, RandomWeights.generate(graph, 1));
        attribution = AttributionMethods.byId(method);
        SplittableRandom rnd = new SplittableRandom(2);
        float[] x = new float[batch * 3 * 224 * 224];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) (rnd.nextDouble() * 4 - 2);
        }
        input = Tensor.of(Shape.of(batch, 3, 224, 224), x);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        model.close();
        engine.close();
    }

    /** The forward pass alone. */
    @Benchmark
    public Tensor forward() {
        return model.forward(input);
    }

    /** Forward plus one backward pass (each image's top-1 class): one attribution map per image. */
    @Benchmark
    public Attribution forwardBackward() {
        return attribution.attribute(model, input, Target.top1());
    }
}
