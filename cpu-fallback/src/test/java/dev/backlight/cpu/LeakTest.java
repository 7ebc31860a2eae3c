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
import java.lang.ref.WeakReference;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Explain calls on one compiled model leave nothing behind: the results they return are not kept
 * by the model, and the used heap after a full GC does not grow with the number of calls.
 *
 * <p>The heap bound: {@value #BOUND_MIB} MiB over {@value #MEASURED_CALLS} calls after
 * {@value #WARM_UP_CALLS} warm-up calls (buffers allocated, code compiled). Each call returns a map
 * of 3×24×24 floats (6.9 KiB with its header); a backend keeping one map per call would hold
 * 6.7 MiB, and any per-call leak above about 2 KiB fails. The heap after GC varies between
 * readings by well under a MiB, which the bound leaves room for. {@link #theMeasurementSeesALeakOfOneMapPerCall}
 * retains that many maps on purpose and shows the same measurement sees them.
 */
class LeakTest {
    private static final int BOUND_MIB = 2;
    private static final int WARM_UP_CALLS = 100;
    private static final int MEASURED_CALLS = 1_000;
    private static final DenseNetConfig TINY = new DenseNetConfig("tiny", 4, new int[] {2, 2}, 8, 2, 10, 1e-5f);

    @Test
    void explainCallsKeepTheHeapFlat() {
        Graph graph = DenseNet.build(TINY, 24, 24);
        Weights weights = RandomWeights.generate(graph, 3);
        AttributionMethod method = AttributionMethods.byId("guided-backprop");
        Tensor[] inputs = inputs();
        long before;
        long after;
        double checksum = 0;
        try (CpuBackend backend = new CpuBackend(2); CompiledModel model = backend.compile(graph, weights)) {
            for (int i = 0; i < WARM_UP_CALLS; i++) {
                checksum += method.attribute(model, inputs[i % inputs.length], Target.top1()).map(0).data()[i % 100];
            }
            before = usedHeapAfterGc();
            for (int i = 0; i < MEASURED_CALLS; i++) {
                checksum += method.attribute(model, inputs[i % inputs.length], Target.top1()).map(0).data()[i % 100];
            }
            after = usedHeapAfterGc();
        }
        assertTrue(Double.isFinite(checksum));
        assertTrue(after - before < (long) BOUND_MIB << 20, "used heap grew by " + (after - before) / 1048576.0
                + " MiB over " + MEASURED_CALLS + " explain calls; the bound is " + BOUND_MIB + " MiB");
    }

    @Test
    void theModelKeepsNoResultItReturned() {
        Graph graph = DenseNet.build(TINY, 24, 24);
        AttributionMethod method = AttributionMethods.byId("guided-backprop");
        Tensor[] inputs = inputs();
        List<WeakReference<float[]>> maps = new ArrayList<>();
        List<WeakReference<float[]>> logits = new ArrayList<>();
        try (CpuBackend backend = new CpuBackend(2);
             CompiledModel model = backend.compile(graph, RandomWeights.generate(graph, 3))) {
            for (int i = 0; i < 50; i++) {
                Attribution a = method.attribute(model, inputs[i % inputs.length], Target.top1());
                maps.add(new WeakReference<>(a.map(0).data()));
                logits.add(new WeakReference<>(a.logits().data()));
            }
            usedHeapAfterGc();
            // The model is still open: what it keeps for the next call must not include any result.
            assertEquals(0, maps.stream().filter(r -> r.get() != null).count(), "maps still reachable after GC");
            assertEquals(0, logits.stream().filter(r -> r.get() != null).count(), "logits still reachable after GC");
        }
    }

    /** The heap measurement sees a leak of one map per call: retaining that many maps exceeds the bound. */
    @Test
    void theMeasurementSeesALeakOfOneMapPerCall() {
        long before = usedHeapAfterGc();
        List<float[]> retained = new ArrayList<>();
        for (int i = 0; i < MEASURED_CALLS; i++) {
            retained.add(new float[3 * 24 * 24]);
        }
        long after = usedHeapAfterGc();
        assertEquals(MEASURED_CALLS, retained.size());
        assertTrue(after - before > ((long) BOUND_MIB << 20), "retaining " + retained.size() + " maps grew the heap"
                + " by only " + (after - before) / 1048576.0 + " MiB");
    }

    private static Tensor[] inputs() {
        Tensor[] inputs = new Tensor[16];
        for (int i = 0; i < inputs.length; i++) {
            inputs[i] = Numerics.gaussian(Shape.of(1, 3, 24, 24), 500 + i);
        }
        return inputs;
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
