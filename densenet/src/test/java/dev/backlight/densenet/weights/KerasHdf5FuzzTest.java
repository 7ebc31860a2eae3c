package dev.backlight.densenet.weights;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.backlight.api.WeightsFormatException;
import java.lang.management.ManagementFactory;
import java.util.concurrent.TimeUnit;

/**
 * Any bytes given to the Keras HDF5 reader (jhdf underneath) either read as DenseNet weights or
 * raise a {@link WeightsFormatException} naming the source: never another exception, never a hang,
 * never an allocation beyond what the reader's budget allows ({@link KerasWeightsReader#EXPANSION}
 * times the input, the most compression can yield, plus jhdf's fixed costs).
 *
 * <p>Without {@code JAZZER_FUZZ} this replays the seed corpus in
 * {@code src/test/resources/dev/backlight/densenet/weights/KerasHdf5FuzzTestInputs/readsOrRejects/}
 * (one-block DenseNets in the legacy and Keras 3 layouts, with h5py's earliest and latest file
 * structures, made by {@code fixtures/make_weights_fixtures.py}, and every input that ever failed,
 * named {@code crash-*}); the module's {@code fuzz-hdf5} Surefire execution fuzzes for
 * {@code maxDuration}.
 */
class KerasHdf5FuzzTest {
    /** jhdf's buffers, caches and the messages. */
    private static final long FIXED_ALLOWANCE = 32L << 20;
    /** The reader's budget for datasets, twice over (jhdf reads bytes, then converts them). */
    private static final long PER_INPUT_BYTE = 2 * KerasWeightsReader.EXPANSION;
    private static final long MAX_NANOS_PER_INPUT = TimeUnit.SECONDS.toNanos(5);

    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    @FuzzTest(maxDuration = "30s")
    void readsOrRejects(byte[] bytes) {
        long[] cost = readOrReject(bytes);
        if (cost[0] > MAX_NANOS_PER_INPUT || cost[1] > allowedBytes(bytes)) {
            cost = readOrReject(bytes);
            assertTrue(cost[0] <= MAX_NANOS_PER_INPUT, "reading " + bytes.length + " bytes took "
                    + cost[0] / 1_000_000 + " ms");
            assertTrue(cost[1] <= allowedBytes(bytes), "reading " + bytes.length + " bytes allocated " + cost[1]
                    + " bytes, more than the " + allowedBytes(bytes) + " allowed");
        }
    }

    private static long allowedBytes(byte[] bytes) {
        return FIXED_ALLOWANCE + PER_INPUT_BYTE * bytes.length;
    }

    private static long[] readOrReject(byte[] bytes) {
        long allocatedBefore = THREADS.getCurrentThreadAllocatedBytes();
        long start = System.nanoTime();
        try {
            KerasWeightsReader.readHdf5(bytes, "fuzz.h5");
        } catch (WeightsFormatException e) {
            assertTrue(e.getMessage() != null && e.getMessage().startsWith("fuzz.h5"),
                    "the message should start with the file's name: " + e.getMessage());
        } catch (OutOfMemoryError e) {
            throw new AssertionError("the reader ran out of memory on " + bytes.length + " bytes of input", e);
        }
        return new long[] {System.nanoTime() - start, THREADS.getCurrentThreadAllocatedBytes() - allocatedBefore};
    }
}
