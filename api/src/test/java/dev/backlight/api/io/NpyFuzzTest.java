package dev.backlight.api.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.backlight.api.InputFormatException;
import dev.backlight.api.Tensor;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.util.concurrent.TimeUnit;

/**
 * Any bytes given to the {@code .npy} reader, as a file of known size or as a stream, either parse
 * or raise {@link InputFormatException} naming the input: never another exception, never a hang,
 * never an allocation out of proportion to the input.
 *
 * <p>Without {@code JAZZER_FUZZ} this replays the seed corpus in
 * {@code src/test/resources/dev/backlight/api/io/NpyFuzzTestInputs/readsOrRejects/} (valid files,
 * the classic bad ones, and every input that ever failed, named {@code crash-*}); the module's
 * {@code fuzz} Surefire execution sets {@code JAZZER_FUZZ=1} and fuzzes for {@code maxDuration}.
 * A failure found there is written into that directory: fix the reader and keep the file.
 */
class NpyFuzzTest {
    /**
     * Allowed allocation per input: the stream reader's first buffer (4 MiB) and chunk (up to
     * 1 MiB), and room for messages and the header parser.
     */
    private static final long FIXED_ALLOWANCE = 16L << 20;
    /** The data at most twice (file and stream reads) and the header's text a few times. */
    private static final long PER_INPUT_BYTE = 16;
    /**
     * Longest time one input may take; inputs are a few KB and read in microseconds. A slow input
     * is a finding with a reproducer, where a JUnit timeout would fail the whole fuzzing run
     * instead; an input that never returns is ended by the fuzz execution's forked-process timeout.
     */
    private static final long MAX_NANOS_PER_INPUT = TimeUnit.SECONDS.toNanos(5);

    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    @DictionaryEntries({"NUMPY", "{'descr': ", "'fortran_order': ", "'shape': (", "'<f4'", "'>f4'", "'|O'",
        "True", "False", "), }"})
    @FuzzTest(maxDuration = "30s")
    void readsOrRejects(byte[] bytes) throws IOException {
        long[] cost = readBothWays(bytes);
        if (cost[0] > MAX_NANOS_PER_INPUT || cost[1] > allowedBytes(bytes)) {
            // The first read of a new path also pays for loading and instrumenting classes: measure again.
            cost = readBothWays(bytes);
            assertTrue(cost[0] <= MAX_NANOS_PER_INPUT, "reading " + bytes.length + " bytes took "
                    + cost[0] / 1_000_000 + " ms");
            assertTrue(cost[1] <= allowedBytes(bytes), "reading " + bytes.length + " bytes allocated " + cost[1]
                    + " bytes, more than the " + allowedBytes(bytes) + " allowed");
        }
    }

    private static long allowedBytes(byte[] bytes) {
        return FIXED_ALLOWANCE + PER_INPUT_BYTE * bytes.length;
    }

    /** Reads {@code bytes} as a file and as a stream, checks both, and returns {nanoseconds, bytes allocated}. */
    private static long[] readBothWays(byte[] bytes) throws IOException {
        long allocatedBefore = THREADS.getCurrentThreadAllocatedBytes();
        long start = System.nanoTime();
        try {
            Tensor asFile = readOrNull(bytes, bytes.length, "fuzz.npy");
            Tensor asStream = readOrNull(bytes, -1, "fuzz-stream.npy");
            if (asFile != null) {
                // A whole file that parses also parses as a stream, to the same array.
                assertTrue(asStream != null, "read as a file but not as a stream");
                assertEquals(asFile.shape(), asStream.shape());
                assertArrayEquals(asFile.data(), asStream.data(), "file and stream reads differ");
            }
        } catch (OutOfMemoryError e) {
            throw new AssertionError("the reader ran out of memory on " + bytes.length + " bytes of input", e);
        }
        return new long[] {System.nanoTime() - start, THREADS.getCurrentThreadAllocatedBytes() - allocatedBefore};
    }

    /** The array, or null when the reader rejected the bytes as it should: typed, naming the input. */
    private static Tensor readOrNull(byte[] bytes, long fileSize, String name) throws IOException {
        try {
            Tensor t = Npy.read(new ByteArrayInputStream(bytes), name, fileSize);
            assertTrue(4L * t.size() <= bytes.length, "an array of " + t.size() + " floats from " + bytes.length
                    + " bytes");
            return t;
        } catch (InputFormatException e) {
            assertTrue(e.getMessage() != null && e.getMessage().startsWith(name + " "),
                    "the message should start with the input's name: " + e.getMessage());
            return null;
        }
    }
}
