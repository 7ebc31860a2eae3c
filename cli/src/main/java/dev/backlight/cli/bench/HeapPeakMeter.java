package dev.backlight.cli.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.MemoryUsage;
import java.util.List;

/**
 * The peak host memory of a {@code backlight bench} cell: the Java heap's peak use between {@link
 * #reset()} and {@link #peakBytes()}, from the JVM's heap memory pools ({@link MemoryPoolMXBean}).
 *
 * <p>The JVM keeps a peak per pool (with G1: eden, survivor, old), not one for the whole heap; the
 * sum of the pool peaks is what is reported. Pools peak at different moments, so the sum can
 * exceed the heap's true peak: it is an upper bound. It counts everything on the heap, the
 * compiled model included, and garbage not yet collected; memory outside the Java heap (thread
 * stacks, direct buffers, a GPU driver's host allocations) is not counted.
 */
final class HeapPeakMeter {
    /** What the number measures, for the table's footnote and the JSON report. */
    static final String DESCRIPTION = "the Java heap's peak use during the timed iterations, summed over its pools' peaks"
            + " (an upper bound); includes the compiled model and uncollected garbage, not memory outside the heap";

    private final List<MemoryPoolMXBean> heapPools = ManagementFactory.getMemoryPoolMXBeans().stream()
            .filter(p -> p.getType() == MemoryType.HEAP)
            .toList();

    /** Starts a measurement: each heap pool's peak becomes its current use. */
    void reset() {
        for (MemoryPoolMXBean p : heapPools) {
            if (p.isValid()) {
                p.resetPeakUsage();
            }
        }
    }

    /** The sum of the heap pools' peaks since the last {@link #reset()}, in bytes. */
    long peakBytes() {
        long sum = 0;
        for (MemoryPoolMXBean p : heapPools) {
            MemoryUsage peak = p.isValid() ? p.getPeakUsage() : null;
            if (peak != null) {
                sum += peak.getUsed();
            }
        }
        return sum;
    }
}
