package dev.backlight.bench;

import dev.backlight.cpu.CpuGemm;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.AuxCounters;
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
 * The CPU backend's GEMM, {@code C[M×N] += A[M×K] · B[K×N]}, on the shapes DenseNet-201 gives it.
 * The secondary result {@code :flop} is in flop/ns, that is GFLOP/s; the primary one (calls/ns) is
 * only there because JMH needs one.
 *
 * <p>Shapes are {@code MxNxK}. At 224×224 input: 128x3136x256 is a 1×1 bottleneck convolution at
 * 56×56; 32x3136x1152 a 3×3 convolution at 56×56 (im2col) and 1152x3136x32 its backward pass;
 * 128x196x1024 a 1×1 convolution at 14×14; 32x49x1152 a 3×3 convolution at 7×7; 1x1000x1920 the
 * classifier at batch 1; 1000x8x1920 the classifier's weights times eight images (small N).
 *
 * <p>Forks add {@code --add-modules=jdk.incubator.vector}, so the Vector API kernel runs. To measure
 * the scalar kernel, replace the fork options: {@code java -jar bench/target/benchmarks.jar Gemm
 * -jvmArgsAppend -Xmx2g}. Each fork prints the kernel it uses.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xmx2g", "--add-modules=jdk.incubator.vector"})
public class GemmBenchmark {
    @Param({"128x3136x256", "32x3136x1152", "1152x3136x32", "128x196x1024", "32x49x1152", "1x1000x1920",
        "1000x8x1920"})
    public String shape;

    @Param({"1", "2"})
    public int threads;

    private CpuGemm gemm;
    private int m;
    private int n;
    private int k;
    private float[] a;
    private float[] b;
    private float[] c;

    /** Floating-point operations done; JMH reports them as a rate. */
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    @State(Scope.Thread)
    public static class Work {
        public long flop;
    }

    @Setup(Level.Trial)
    public void setUp() {
        String[] dims = shape.split("x");
        m = Integer.parseInt(dims[0]);
        n = Integer.parseInt(dims[1]);
        k = Integer.parseInt(dims[2]);
        SplittableRandom rnd = new SplittableRandom(3);
        a = random(rnd, m * k);
        b = random(rnd, k * n);
        c = random(rnd, m * n);
        gemm = new CpuGemm(threads);
        System.out.println("\nGEMM kernel: " + CpuGemm.kernelDescription());
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        gemm.close();
    }

    /** One {@code C += A·B}. C keeps accumulating: its values stay far from overflow and denormals. */
    @Benchmark
    public float[] multiplyAdd(Work work) {
        gemm.multiplyAdd(m, n, k, a, 0, k, b, 0, n, c, 0, n);
        work.flop += 2L * m * n * k;
        return c;
    }

    private static float[] random(SplittableRandom rnd, int size) {
        float[] x = new float[size];
        for (int i = 0; i < size; i++) {
            x[i] = (float) (rnd.nextDouble() * 2 - 1);
        }
        return x;
    }
}
