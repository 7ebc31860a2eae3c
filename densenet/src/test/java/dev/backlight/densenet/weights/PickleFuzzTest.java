package dev.backlight.densenet.weights;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.backlight.api.Tensor;
import dev.backlight.api.Weights;
import dev.backlight.api.WeightsFormatException;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Any bytes given to the restricted unpickler either make a value or raise a
 * {@link WeightsFormatException} (an {@link UnsafePickleException} for refused constructs) naming
 * the source: never another exception, never a hang, never an allocation out of proportion to the
 * input. Inputs that start with torch's legacy magic number are read as whole legacy checkpoints
 * (five pickles, then storages); others as a zip checkpoint's {@code data.pkl}, whose state dict is
 * then looked for as the zip reader does.
 *
 * <p>Without {@code JAZZER_FUZZ} this replays the seed corpus in
 * {@code src/test/resources/dev/backlight/densenet/weights/PickleFuzzTestInputs/readsOrRejects/}
 * (made by {@code fixtures/make_weights_fixtures.py}, and every input that ever failed, named
 * {@code crash-*}); the module's {@code fuzz-pickle} Surefire execution fuzzes for
 * {@code maxDuration}.
 */
class PickleFuzzTest {
    /** The legacy reader's 1 MiB read chunk, buffers and messages. */
    private static final long FIXED_ALLOWANCE = 16L << 20;
    /**
     * Each pickle byte can make one small Java object (an empty tuple is three), and reading may
     * widen half-precision storages and views of them up to {@link PyTorchCheckpointReader#VIEW_FACTOR}
     * times: 256 bytes per input byte bounds both.
     */
    private static final long PER_INPUT_BYTE = 256;
    private static final long MAX_NANOS_PER_INPUT = TimeUnit.SECONDS.toNanos(5);
    private static final byte[] LEGACY_MAGIC = PickleBytes.hex("80028a0a6cfc9c46f9206aa850192e");

    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    // libFuzzer's dictionary syntax: \\xNN is a byte (Jazzer writes the entries to a file as they are).
    @DictionaryEntries({"\\x80\\x02", "ccollections\\x0aOrderedDict\\x0a", "ctorch._utils\\x0a_rebuild_tensor_v2\\x0a",
        "ctorch\\x0aFloatStorage\\x0a", "ctorch\\x0aHalfStorage\\x0a", "X\\x07\\x00\\x00\\x00storage",
        "X\\x03\\x00\\x00\\x00cpu", "Q", "R", "(", "t", "u", "s", "b", ".", "q\\x01", "h\\x01",
        "r\\x00\\x01\\x00\\x00"})
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

    private static boolean legacy(byte[] bytes) {
        if (bytes.length < LEGACY_MAGIC.length) {
            return false;
        }
        for (int i = 0; i < LEGACY_MAGIC.length; i++) {
            if (bytes[i] != LEGACY_MAGIC[i]) {
                return false;
            }
        }
        return true;
    }

    /** Reads {@code bytes}, checks the outcome, and returns {nanoseconds, bytes allocated}. */
    private static long[] readOrReject(byte[] bytes) throws IOException {
        long allocatedBefore = THREADS.getCurrentThreadAllocatedBytes();
        long start = System.nanoTime();
        try {
            if (legacy(bytes)) {
                Weights weights = PyTorchCheckpointReader.readLegacy(new InMemoryChannel(bytes), "fuzz.pth");
                for (Map.Entry<String, Tensor> e : weights.asMap().entrySet()) {
                    assertTrue(!e.getKey().endsWith("num_batches_tracked"), "kept the step counter " + e.getKey());
                }
            } else {
                Map<String, Pickled.Storage> storages = new LinkedHashMap<>();
                Object root = RestrictedUnpickler.load(PickleInput.of(bytes), "fuzz.pth", storages);
                StateDictKeys.torchvisionNames(StateDictKeys.stateDict(root, "fuzz.pth"), "fuzz.pth");
            }
        } catch (WeightsFormatException e) {
            assertTrue(e.getMessage() != null && e.getMessage().startsWith("fuzz.pth"),
                    "the message should start with the file's name: " + e.getMessage());
        } catch (OutOfMemoryError e) {
            throw new AssertionError("the reader ran out of memory on " + bytes.length + " bytes of input", e);
        }
        return new long[] {System.nanoTime() - start, THREADS.getCurrentThreadAllocatedBytes() - allocatedBefore};
    }
}
