package dev.backlight.densenet.weights;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.backlight.api.Tensor;
import dev.backlight.api.Weights;
import dev.backlight.api.WeightsFormatException;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.util.concurrent.TimeUnit;

/**
 * Any bytes given to the safetensors reader either parse or raise {@link WeightsFormatException}
 * naming the file: never another exception, never a hang, never an allocation out of proportion to
 * the input.
 *
 * <p>Without {@code JAZZER_FUZZ} this replays the seed corpus in
 * {@code src/test/resources/dev/backlight/densenet/weights/SafetensorsFuzzTestInputs/readsOrRejects/}
 * (valid files, classic bad ones, and every input that ever failed, named {@code crash-*}); the
 * module's {@code fuzz} Surefire execution sets {@code JAZZER_FUZZ=1} and fuzzes for
 * {@code maxDuration}. A failure found there is written into that directory: fix the reader and
 * keep the file.
 */
class SafetensorsFuzzTest {
    /** The reader's read chunk (at most 1 MiB), Jackson's buffers and messages. */
    private static final long FIXED_ALLOWANCE = 16L << 20;
    /** F16 and BF16 data grow to twice their size as floats; the header is copied a few times. */
    private static final long PER_INPUT_BYTE = 16;
    /**
     * Longest time one input may take; inputs are a few KB and read in microseconds. A slow input
     * is a finding with a reproducer, where a JUnit timeout would fail the whole fuzzing run
     * instead; an input that never returns is ended by the fuzz execution's forked-process timeout.
     */
    private static final long MAX_NANOS_PER_INPUT = TimeUnit.SECONDS.toNanos(5);

    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    @DictionaryEntries({"\"dtype\":", "\"shape\":", "\"data_offsets\":", "\"F32\"", "\"F16\"", "\"BF16\"", "\"I64\"",
        "\"F64\"", "\"__metadata__\":", ".num_batches_tracked\":", "[0, 4]", "[]", "{}"})
    @FuzzTest(maxDuration = "30s")
    void readsOrRejects(byte[] bytes) throws IOException {
        long[] cost = readOrReject(bytes);
        if (cost[0] > MAX_NANOS_PER_INPUT || cost[1] > allowedBytes(bytes)) {
            // The first read of a new path also pays for loading and instrumenting classes: measure again.
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

    /** Reads {@code bytes}, checks the outcome, and returns {nanoseconds, bytes allocated}. */
    private static long[] readOrReject(byte[] bytes) throws IOException {
        long allocatedBefore = THREADS.getCurrentThreadAllocatedBytes();
        long start = System.nanoTime();
        try {
            Weights weights = SafetensorsReader.read(new InMemoryChannel(bytes), "fuzz.safetensors");
            long elements = 0;
            for (String name : weights.names()) {
                assertTrue(!name.endsWith("num_batches_tracked"), "kept the step counter " + name);
                Tensor t = weights.asMap().get(name);
                elements += t.size();
            }
            // Every element comes from at least two bytes of data (F16, BF16) in a region no other shares.
            assertTrue(2 * elements <= bytes.length, elements + " elements from " + bytes.length + " bytes");
        } catch (WeightsFormatException e) {
            assertTrue(e.getMessage() != null && e.getMessage().startsWith("fuzz.safetensors "),
                    "the message should start with the file's name: " + e.getMessage());
        } catch (OutOfMemoryError e) {
            throw new AssertionError("the reader ran out of memory on " + bytes.length + " bytes of input", e);
        }
        return new long[] {System.nanoTime() - start, THREADS.getCurrentThreadAllocatedBytes() - allocatedBefore};
    }
}
