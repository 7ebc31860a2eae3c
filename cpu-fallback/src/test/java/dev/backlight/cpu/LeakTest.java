package dev.backlight.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.backlight.api.Shape;
import dev.backlight.api.Tensor;
import dev.backlight.api.Weights;
import dev.backlight.api.backend.CompiledModel;
import dev.backlight.api.graph.Graph;
import dev.backlight.api.method.Attribution;
import dev.backlight.api.method.AttributionMethod;
import dev.backlight.api.method.AttributionMethods;
import dev.backlight.api.method.Target;
import dev.backlight.conformance.Numerics;
import dev.backlight.densenet.DenseNet;
import dev.backlight.densenet.DenseNetConfig;
import dev.backlight.densenet.RandomWeights;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Host memory stays flat over 10,000 explain calls (one forward and one backward each, through an
 * {@link AttributionMethod}) on one compiled model.
 *
 * <p>The bound: used heap after a full GC may grow by less than {@value #BOUND_MIB} MiB between call
 * 200 (after warm-up: buffers allocated, code compiled) and call 10,000. Each call returns a map of
 * 3×24×24 floats (6.9 KiB with its header) and logits; were the backend to keep as little as one
 * map per call, the 9,800 measured calls would hold 66 MiB, eight times the bound, and any per-call
 * leak above {@value #BOUND_MIB} MiB / 9,800 ≈ 860 bytes fails. The bound leaves room for what the
 * JVM itself may grow in that time (JIT and class metadata are off-heap; the heap after GC varies
 * by well under a MiB between runs). A self-check retains as many maps on purpose and shows the
 * measurement sees them.
 */
class LeakTest {
    private static final int BOUND_MIB = 8;
    private static final int WARM_UP_CALLS = 200;
    private static final int CALLS = 10_000;
    private static final DenseNetConfig TINY = new DenseNetConfig("tiny", 4, new int[] {2, 2}, 8, 2, 10, 1e-5f);

    @Test
    void tenThousandExplainCallsKeepTheHeapFlat() {
        Graph graph = DenseNet.build(TINY, 24, 24);
        Weights weights = RandomWeights.generate(graph, 3);
        AttributionMethod method = AttributionMethods.byId("guided-backprop");
        Tensor[] inputs = new Tensor[16];
        for (int i = 0; i < inputs.length; i++) {
            inputs[i] = Numerics.gaussian(Shape.of(1, 3, 24, 24), 500 + i);
        }
        long before;
        long after;
        long mapBytes;
        double checksum = 0;
        try (CpuBackend backend = new CpuBackend(2); CompiledModel model = backend.compile(graph, weights)) {
            for (int i = 0; i < WARM_UP_CALLS; i++) {
                checksum += method.attribute(model, inputs[i % inputs.length], Target.top1()).map(0).data()[i % 100];
            }
            before = usedHeapAfterGc();
            long start = System.nanoTime();
            Attribution last = null;
            for (int i = WARM_UP_CALLS; i < CALLS; i++) {
                last = method.attribute(model, inputs[i % inputs.length], Target.top1());
                checksum += last.map(0).data()[i % 100];
            }
            double millisPerCall = (System.nanoTime() - start) / 1e6 / (CALLS - WARM_UP_CALLS);
            after = usedHeapAfterGc();
            mapBytes = 4L * last.map(0).size();
            System.out.printf("LeakTest: %d calls at %.2f ms each; used heap after GC %.2f MiB at call %d, %.2f MiB"
                            + " at call %d (growth %+.3f MiB, bound %d MiB)%n", CALLS, millisPerCall, before / 1048576.0,
                    WARM_UP_CALLS, after / 1048576.0, CALLS, (after - before) / 1048576.0, BOUND_MIB);
        }
        assertTrue(Double.isFinite(checksum));
        long bound = (long) BOUND_MIB << 20;
        assertTrue((CALLS - WARM_UP_CALLS) * mapBytes > 4 * bound, "a leak of one map per call must exceed the bound"
                + " several times over, or the test could not see it");
        assertTrue(after - before < bound, "used heap grew by " + (after - before) / 1048576.0 + " MiB over "
                + (CALLS - WARM_UP_CALLS) + " explain calls; the bound is " + BOUND_MIB + " MiB");
    }

    /** The measurement sees a leak of one map per call: retaining that many maps exceeds the bound. */
    @Test
    void theMeasurementSeesALeakOfOneMapPerCall() {
        long before = usedHeapAfterGc();
        List<float[]> retained = new ArrayList<>();
        for (int i = WARM_UP_CALLS; i < CALLS; i++) {
            retained.add(new float[3 * 24 * 24]);
        }
        long after = usedHeapAfterGc();
        assertEquals(CALLS - WARM_UP_CALLS, retained.size());
        assertTrue(after - before > ((long) BOUND_MIB << 20), "retaining " + retained.size() + " maps grew the heap"
                + " by only " + (after - before) / 1048576.0 + " MiB");
    }

    /** Used heap after collections have settled: GC until two consecutive readings agree within 64 KiB. */
    static long usedHeapAfterGc() {
        Runtime rt = Runtime.getRuntime();
        long previous = Long.MAX_VALUE;
        for (int i = 0; i < 10; i++) {
            System.gc();
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
            long used = rt.totalMemory() - rt.freeMemory();
            if (Math.abs(previous - used) < 64 * 1024) {
                return used;
            }
            previous = used;
        }
        return previous;
    }
}
