package dev.backlight.densenet.weights;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.backlight.api.Tensor;
import dev.backlight.api.Weights;
import dev.backlight.api.WeightsFormatException;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Truncated files, and files whose sizes lie, are refused with a {@link WeightsFormatException}
 * naming the file: never another exception, never garbage tensors, never an allocation the file
 * does not pay for.
 */
class DamagedCheckpointsTest {
    @TempDir
    Path dir;

    @ParameterizedTest
    @ValueSource(strings = {"zip.pth", "pytorch_model.bin", "legacy.pth", "legacy_2017.pth", "bf16_legacy.pth",
        "keras_imagenet.h5", "keras_model.h5", "keras3.weights.h5", "keras3.keras", "reference.safetensors"})
    void everyTruncationIsRefusedOrReadsTheWholeTensors(String fixture) throws IOException {
        byte[] whole = Fixtures.bytes(fixture);
        Weights reference = SafetensorsReader.read(Fixtures.copy(
                fixture.startsWith("bf16") ? "reference_bf16.safetensors" : "reference.safetensors", dir));
        int refused = 0;
        int cuts = 60;
        for (int i = 0; i < cuts; i++) {
            // Evenly spread cuts, and the last few bytes, where containers keep their directories.
            int length = i < cuts - 8 ? (int) ((long) whole.length * i / (cuts - 8)) : whole.length - (cuts - i);
            Path cut = Files.write(dir.resolve("cut-" + length + "-" + fixture), Arrays.copyOf(whole, length));
            try {
                LoadedWeights w = WeightsFiles.read(cut);
                // Some formats keep bytes nothing reads at the end; what was read must then be whole.
                for (Map.Entry<String, Tensor> e : w.weights().asMap().entrySet()) {
                    assertArrayEquals(reference.asMap().get(e.getKey()).data(), e.getValue().data(),
                            fixture + " cut to " + length + ": " + e.getKey());
                }
            } catch (WeightsFormatException e) {
                assertTrue(e.getMessage().startsWith(cut.toString()) || e.getMessage().contains(cut.toString()),
                        "the message names the file: " + e.getMessage());
                refused++;
            } catch (RuntimeException e) {
                fail(fixture + " cut to " + length + " bytes raised " + e, e);
            }
        }
        // HDF5 files end with groups no reader needs (Keras 3's optimizer state), so some cuts read fine.
        assertTrue(refused >= cuts / 2, fixture + ": only " + refused + " of " + cuts + " truncations were refused");
    }

    private static byte[] classifierPickle(String storageType, long numel, int[] size) {
        int[] stride = size.length == 2 ? new int[] {size[1], 1} : new int[] {1};
        return PickleBytes.protocol2().orderedDict(() -> { }).op('(').string("classifier.weight")
                .raw(new PickleBytes().tensor(storageType, "0", numel, 0, size, stride).bytes()).op('u').stop().bytes();
    }

    @Test
    void aLegacyCountThatDisagreesWithThePickleIsRefused() throws IOException {
        byte[] pickle = classifierPickle("FloatStorage", 3, new int[] {1, 3});
        // The data says 2 elements where the pickle says 3.
        byte[] file = PickleBytes.legacyCheckpoint(pickle, PickleBytes.storage("0", PickleBytes.floats(1f, 2f)), 4);
        WeightsFormatException e = assertThrows(WeightsFormatException.class,
                () -> WeightsFiles.read(Files.write(dir.resolve("count.pth"), file)));
        assertTrue(e.getMessage().contains("gives storage '0' 2 elements where its pickle says 3"), e.getMessage());
    }

    @Test
    void aStorageLargerThanTheFileIsRefusedBeforeAnythingIsAllocated() throws IOException {
        // The pickle claims 2^40 floats (4 TiB); the data holds two.
        byte[] pickle = classifierPickle("FloatStorage", 1L << 40, new int[] {1 << 20, 1 << 20});
        byte[] legacy = PickleBytes.legacyCheckpoint(pickle, PickleBytes.storage("0", PickleBytes.floats(1f, 2f)), 4);
        legacy = withCount(legacy, 1L << 40);
        byte[] finalLegacy = legacy;
        WeightsFormatException e = assertThrows(WeightsFormatException.class,
                () -> WeightsFiles.read(Files.write(dir.resolve("huge.pth"), finalLegacy)));
        assertTrue(e.getMessage().contains("truncated"), e.getMessage());

        Path zip = PickleBytes.zipCheckpoint(dir.resolve("huge-zip.pth"), pickle,
                PickleBytes.storage("0", PickleBytes.floats(1f, 2f)));
        e = assertThrows(WeightsFormatException.class, () -> WeightsFiles.read(zip));
        assertTrue(e.getMessage().contains("promises 1099511627776"), e.getMessage());
    }

    /** Rewrites the int64 element count of the only storage of a legacy file built by PickleBytes. */
    private static byte[] withCount(byte[] legacy, long count) {
        byte[] out = legacy.clone();
        int at = out.length - 8 - 8; // two floats of data after the count
        for (int i = 0; i < 8; i++) {
            out[at + i] = (byte) (count >>> (8 * i));
        }
        return out;
    }

    @Test
    void aZipEntryShorterThanItsStorageIsRefused() throws IOException {
        byte[] pickle = classifierPickle("FloatStorage", 3, new int[] {1, 3});
        Path zip = PickleBytes.zipCheckpoint(dir.resolve("short.pth"), pickle,
                PickleBytes.storage("0", PickleBytes.floats(1f, 2f)));
        WeightsFormatException e = assertThrows(WeightsFormatException.class, () -> WeightsFiles.read(zip));
        assertTrue(e.getMessage().contains("holds 8 bytes in archive/data/0"), e.getMessage());
    }

    @Test
    void aMissingStorageEntryIsRefused() throws IOException {
        byte[] pickle = classifierPickle("FloatStorage", 2, new int[] {1, 2});
        Path zip = PickleBytes.zipCheckpoint(dir.resolve("missing.pth"), pickle, Map.of());
        WeightsFormatException e = assertThrows(WeightsFormatException.class, () -> WeightsFiles.read(zip));
        assertTrue(e.getMessage().contains("has no entry archive/data/0"), e.getMessage());
    }

    @Test
    void aCompressedStorageIsRefused() throws IOException {
        byte[] pickle = classifierPickle("FloatStorage", 2, new int[] {1, 2});
        Path zip = dir.resolve("deflated.pth");
        try (OutputStream os = Files.newOutputStream(zip); ZipOutputStream out = new ZipOutputStream(os)) {
            out.putNextEntry(new ZipEntry("archive/data.pkl"));
            out.write(pickle);
            out.putNextEntry(new ZipEntry("archive/data/0"));
            out.write(PickleBytes.floats(1f, 2f));
        }
        WeightsFormatException e = assertThrows(WeightsFormatException.class, () -> WeightsFiles.read(zip));
        assertTrue(e.getMessage().contains("compressed"), e.getMessage());
    }

    @Test
    void integerTensorsInTheStateDictAreRefusedByName() throws IOException {
        byte[] pickle = classifierPickle("LongStorage", 2, new int[] {1, 2});
        Path zip = PickleBytes.zipCheckpoint(dir.resolve("long.pth"), pickle,
                PickleBytes.storage("0", new byte[16]));
        WeightsFormatException e = assertThrows(WeightsFormatException.class, () -> WeightsFiles.read(zip));
        assertTrue(e.getMessage().contains("'classifier.weight' of integer type"), e.getMessage());
    }

    @Test
    void viewsCannotReadOneStorageOverAndOver() throws IOException {
        // 64 distinct tensors, each the whole 4096-element storage: 16 times the stored elements.
        PickleBytes p = PickleBytes.protocol2().orderedDict(() -> { }).op('(');
        for (int i = 0; i < 64; i++) {
            p.string("features.t" + i).raw(new PickleBytes()
                    .tensor("FloatStorage", "0", 4096, 0, new int[] {4096}, new int[] {1}).bytes());
        }
        p.string("classifier.weight").raw(new PickleBytes()
                .tensor("FloatStorage", "0", 4096, 0, new int[] {64, 64}, new int[] {64, 1}).bytes());
        byte[] pickle = p.op('u').stop().bytes();
        // With a stride of 0, one element stands for a million: refused the same way.
        byte[] expanded = PickleBytes.protocol2().orderedDict(() -> { }).op('(').string("classifier.weight")
                .raw(new PickleBytes().tensor("FloatStorage", "1", 1, 0, new int[] {1 << 20, 1 << 20},
                        new int[] {0, 0}).bytes()).op('u').stop().bytes();
        Path many = PickleBytes.zipCheckpoint(dir.resolve("views.pth"), pickle,
                PickleBytes.storage("0", new byte[4 * 4096]));
        Path zero = PickleBytes.zipCheckpoint(dir.resolve("zero.pth"), expanded,
                PickleBytes.storage("1", new byte[4]));
        for (Path file : new Path[] {many, zero}) {
            WeightsFormatException e = assertThrows(WeightsFormatException.class, () -> WeightsFiles.read(file));
            assertTrue(e.getMessage().contains("at most " + PyTorchCheckpointReader.VIEW_FACTOR), e.getMessage());
        }
    }

    @Test
    void twoKeysThatMeanTheSameTensorAreRefused() throws IOException {
        byte[] pickle = PickleBytes.protocol2().orderedDict(() -> { }).op('(')
                .string("module.classifier.weight")
                .raw(new PickleBytes().tensor("FloatStorage", "0", 2, 0, new int[] {1, 2}, new int[] {2, 1}).bytes())
                .string("classifier.weight")
                .raw(new PickleBytes().tensor("FloatStorage", "0", 2, 0, new int[] {1, 2}, new int[] {2, 1}).bytes())
                .op('u').stop().bytes();
        Path zip = PickleBytes.zipCheckpoint(dir.resolve("twice.pth"), pickle,
                PickleBytes.storage("0", PickleBytes.floats(1f, 2f)));
        WeightsFormatException e = assertThrows(WeightsFormatException.class, () -> WeightsFiles.read(zip));
        assertTrue(e.getMessage().contains("which both mean 'classifier.weight'"), e.getMessage());
    }

    @Test
    void keyNamesAreMappedToTorchvisions() {
        assertEquals("features.denseblock1.denselayer1.norm1.weight",
                StateDictKeys.torchvisionName("features.denseblock1.denselayer1.norm.1.weight"));
        assertEquals("features.denseblock4.denselayer32.conv2.weight",
                StateDictKeys.torchvisionName("module._orig_mod.features.denseblock4.denselayer32.conv.2.weight"));
        assertEquals("features.denseblock2.denselayer3.norm2.running_var",
                StateDictKeys.torchvisionName("_orig_mod.module.features.denseblock2.denselayer3.norm.2.running_var"));
        assertEquals("classifier.bias", StateDictKeys.torchvisionName("module.classifier.bias"));
        // Only dense-layer modules had dotted numbers; nothing else is touched.
        assertEquals("features.norm.1.weight", StateDictKeys.torchvisionName("features.norm.1.weight"));
        assertEquals("features.transition1.conv.weight", StateDictKeys.torchvisionName("features.transition1.conv.weight"));
        assertEquals("model.features.conv0.weight", StateDictKeys.torchvisionName("model.features.conv0.weight"));
    }
}
