package dev.backlight.densenet.weights;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.backlight.api.BacklightException;
import dev.backlight.api.Shape;
import dev.backlight.api.Tensor;
import dev.backlight.api.Weights;
import dev.backlight.api.WeightsFormatException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class SafetensorsTest {
    @TempDir
    Path dir;

    // ---- round trip --------------------------------------------------------------------------

    @Test
    void roundTripsSeededRandomFloat32TensorsInOrder() {
        Random random = new Random(20240611);
        Map<String, Tensor> written = new LinkedHashMap<>();
        written.put("features.conv0.weight", randomTensor(Shape.of(8, 3, 7, 7), random));
        written.put("features.norm0.running_mean", randomTensor(Shape.of(8), random));
        written.put("classifier.bias", randomTensor(Shape.of(10), random));
        written.put("a scalar", randomTensor(Shape.of(), random));
        written.put("empty", Tensor.zeros(Shape.of(0, 4)));
        written.put("ünïcode \"quoted\" ✓", randomTensor(Shape.of(2, 3), random));
        written.put("big", randomTensor(Shape.of(300_000), random)); // more than one 1 MiB read chunk
        Path file = dir.resolve("model.safetensors");

        SafetensorsWriter.write(file, written, Map.of("format", "pt", "note", "grüße"));
        Weights read = SafetensorsReader.read(file);

        assertEquals(List.copyOf(written.keySet()), List.copyOf(read.names()));
        for (Map.Entry<String, Tensor> e : written.entrySet()) {
            Tensor got = read.get(e.getKey(), e.getValue().shape());
            assertArrayEquals(e.getValue().data(), got.data(), e.getKey());
        }
        assertEquals(file.toString(), read.source());
    }

    // ---- a file assembled by hand ------------------------------------------------------------

    private static final int[] F16_BITS = {0x3C00, 0xC100, 0x7BFF, 0x0001, 0x03FF, 0x0400, 0x3555, 0x7C00, 0xFC00,
        0x8000, 0x7E00};
    private static final float[] F16_VALUES = {1f, -2.5f, 65504f, 0x1p-24f, 0x1.ff8p-15f, 0x1p-14f, 0x1.554p-2f,
        Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, -0f, Float.NaN};
    private static final int[] BF16_BITS = {0x4049, 0x3F80, 0xC020, 0x7F7F, 0x0001, 0x7F80, 0xFF80, 0x8000, 0x7FC0};
    private static final float[] BF16_VALUES = {3.140625f, 1f, -2.5f, 0x1.fep127f, 0x1p-133f,
        Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, -0f, Float.NaN};

    /**
     * Data region laid out in a different order than the header lists the tensors, with odd
     * offsets: bf16 [0, 18), f16 [18, 40), the I64 counter [40, 48), f32 [48, 56).
     */
    private static byte[] handBuiltHalfPrecisionFile() {
        String header = "{\"__metadata__\": {\"format\": \"pt\"},"
                + " \"w32\": {\"dtype\": \"F32\", \"shape\": [2], \"data_offsets\": [48, 56]},"
                + " \"w16\": {\"dtype\": \"F16\", \"shape\": [11], \"data_offsets\": [18, 40]},"
                + " \"bn.num_batches_tracked\": {\"dtype\": \"I64\", \"shape\": [], \"data_offsets\": [40, 48]},"
                + " \"wbf\": {\"shape\": [3, 3], \"dtype\": \"BF16\", \"data_offsets\": [0, 18]}}";
        ByteBuffer data = ByteBuffer.allocate(56).order(ByteOrder.LITTLE_ENDIAN);
        for (int bits : BF16_BITS) {
            data.putShort((short) bits);
        }
        for (int bits : F16_BITS) {
            data.putShort((short) bits);
        }
        data.putLong(123456789L);
        data.putFloat(0.5f).putFloat(-7f);
        return file(header, data.array());
    }

    @Test
    void readsHandBuiltFloat16AndBfloat16ValuesExactly() throws IOException {
        Weights w = SafetensorsReader.read(write("half.safetensors", handBuiltHalfPrecisionFile()));

        assertEquals(List.of("w32", "w16", "wbf"), List.copyOf(w.names()));
        assertArrayEquals(new float[] {0.5f, -7f}, w.get("w32", Shape.of(2)).data());
        assertBitsEqual(F16_VALUES, w.get("w16", Shape.of(11)).data());
        assertBitsEqual(BF16_VALUES, w.get("wbf", Shape.of(3, 3)).data());
    }

    @Test
    void skipsNumBatchesTrackedWhateverItsDtype() throws IOException {
        String header = "{\"a.num_batches_tracked\": {\"dtype\": \"I64\", \"shape\": [], \"data_offsets\": [0, 8]},"
                + " \"b.num_batches_tracked\": {\"dtype\": \"F64\", \"shape\": [1], \"data_offsets\": [8, 16]},"
                + " \"c.num_batches_tracked\": {\"dtype\": \"X9\", \"shape\": [3], \"data_offsets\": [16, 19]},"
                + " \"w\": {\"dtype\": \"F32\", \"shape\": [1], \"data_offsets\": [19, 23]}}";
        ByteBuffer data = ByteBuffer.allocate(23).order(ByteOrder.LITTLE_ENDIAN);
        data.putLong(5).putDouble(5).put(new byte[3]).putFloat(2.25f);
        Weights w = SafetensorsReader.read(write("nbt.safetensors", file(header, data.array())));
        assertEquals(List.of("w"), List.copyOf(w.names()));
        assertArrayEquals(new float[] {2.25f}, w.get("w", Shape.of(1)).data());
    }

    @Test
    void halfToFloatMatchesTheBinary16DefinitionForAllBitPatterns() {
        for (int bits = 0; bits <= 0xffff; bits++) {
            int exponent = bits >> 10 & 0x1f;
            int mantissa = bits & 0x3ff;
            float actual = HalfFloats.halfToFloat((short) bits);
            if (exponent == 0x1f && mantissa != 0) {
                assertTrue(Float.isNaN(actual), Integer.toHexString(bits));
                continue;
            }
            double magnitude = exponent == 0x1f ? Double.POSITIVE_INFINITY
                    : exponent == 0 ? mantissa * Math.pow(2, -24) : (1024 + mantissa) * Math.pow(2, exponent - 25);
            float expected = (float) ((bits & 0x8000) != 0 ? -magnitude : magnitude);
            assertEquals(Float.floatToIntBits(expected), Float.floatToIntBits(actual), Integer.toHexString(bits));
        }
    }

    // ---- rejected files ----------------------------------------------------------------------

    private static final String OK_ENTRY = "{\"dtype\": \"F32\", \"shape\": [1], \"data_offsets\": [0, 4]}";

    static Stream<Arguments> badFiles() {
        byte[] four = new byte[4];
        byte[] sixteen = new byte[16];
        return Stream.of(
                bad("short", new byte[5], "shorter than 8 bytes"),
                bad("absurd length", withLength(200_000_000L, "{}"), "more than the 100000000"),
                bad("absurd u64 length", withLength(-1L, "{}"), "18446744073709551615 bytes, more than"),
                bad("length beyond file", withLength(1000, "{}"), "larger than the file"),
                bad("not json", file("{\"a\": ", four), "not valid JSON"),
                bad("empty header", file("", four), "not a JSON object"),
                bad("not an object", file("[1, 2]", four), "not a JSON object"),
                bad("text after", file("{} {}", four), "text after the end"),
                bad("entry not object", file("{\"a\": [1]}", four), "instead of an object"),
                bad("no dtype", entry("\"shape\": [1], \"data_offsets\": [0, 4]", four), "no 'dtype' field"),
                bad("no shape", entry("\"dtype\": \"F32\", \"data_offsets\": [0, 4]", four), "no 'shape' field"),
                bad("no offsets", entry("\"dtype\": \"F32\", \"shape\": [1]", four), "no 'data_offsets' field"),
                bad("dtype number", entry("\"dtype\": 4, \"shape\": [1], \"data_offsets\": [0, 4]", four),
                        "dtype that is not a string"),
                bad("shape string", entry("\"dtype\": \"F32\", \"shape\": \"[1]\", \"data_offsets\": [0, 4]", four),
                        "'shape' that is not an array of integers"),
                bad("shape fraction", entry("\"dtype\": \"F32\", \"shape\": [1.5], \"data_offsets\": [0, 4]", four),
                        "'shape' that is not an array of integers"),
                bad("offsets null", entry("\"dtype\": \"F32\", \"shape\": [1], \"data_offsets\": null", four),
                        "'data_offsets' that is not an array of integers"),
                bad("three offsets", entry("\"dtype\": \"F32\", \"shape\": [1], \"data_offsets\": [0, 4, 8]", four),
                        "3 data_offsets instead of [begin, end]"),
                bad("two dtypes", entry("\"dtype\": \"F32\", \"dtype\": \"F16\", \"shape\": [1],"
                        + " \"data_offsets\": [0, 4]", four), "two 'dtype' fields"),
                bad("duplicate name", file("{\"a\": " + OK_ENTRY + ", \"a\": " + OK_ENTRY + "}", four),
                        "names tensor 'a' twice"),
                bad("negative dim", entry("\"dtype\": \"F32\", \"shape\": [-1, 4], \"data_offsets\": [0, 4]", four),
                        "negative 'shape' value -1"),
                bad("negative offset", entry("\"dtype\": \"F32\", \"shape\": [1], \"data_offsets\": [-4, 0]", four),
                        "negative 'data_offsets' value -4"),
                bad("shape overflow", entry("\"dtype\": \"F32\", \"shape\": [4294967296, 4294967296],"
                        + " \"data_offsets\": [0, 4]", four), "element count overflows"),
                bad("byte count overflow", entry("\"dtype\": \"F32\", \"shape\": [4611686018427387904],"
                        + " \"data_offsets\": [0, 4]", four), "needs more than 2^63"),
                bad("huge dim literal", entry("\"dtype\": \"F32\", \"shape\": [99999999999999999999],"
                        + " \"data_offsets\": [0, 4]", four), "overflows a 64-bit integer"),
                bad("byte length", entry("\"dtype\": \"F32\", \"shape\": [2], \"data_offsets\": [0, 4]", four),
                        "tensor 'a' 4 bytes but its shape [2] of F32 needs 8"),
                bad("out of region", entry("\"dtype\": \"F32\", \"shape\": [2], \"data_offsets\": [0, 8]", four),
                        "out of the data region of 4 bytes"),
                bad("ignored out of region", file("{\"x.num_batches_tracked\": {\"dtype\": \"I64\", \"shape\": [],"
                        + " \"data_offsets\": [0, 8]}}", four), "out of the data region"),
                bad("begin after end", entry("\"dtype\": \"F32\", \"shape\": [1], \"data_offsets\": [8, 4]", sixteen),
                        "begin lies after its end"),
                bad("overlap", file("{\"a\": {\"dtype\": \"F32\", \"shape\": [2], \"data_offsets\": [0, 8]},"
                        + " \"b\": {\"dtype\": \"F32\", \"shape\": [2], \"data_offsets\": [4, 12]}}", sixteen),
                        "overlapping tensors 'a' [0, 8) and 'b' [4, 12)"),
                bad("overlap inside", file("{\"a\": {\"dtype\": \"F32\", \"shape\": [4], \"data_offsets\": [0, 16]},"
                        + " \"c\": {\"dtype\": \"F32\", \"shape\": [1], \"data_offsets\": [12, 16]},"
                        + " \"b\": {\"dtype\": \"F32\", \"shape\": [1], \"data_offsets\": [4, 8]}}", sixteen),
                        "overlapping tensors 'a' [0, 16) and 'b' [4, 8)"),
                bad("float64", entry("\"dtype\": \"F64\", \"shape\": [2], \"data_offsets\": [0, 16]", sixteen),
                        "tensor 'a' of dtype F64"),
                bad("int64", entry("\"dtype\": \"I64\", \"shape\": [2], \"data_offsets\": [0, 16]", sixteen),
                        "tensor 'a' of dtype I64"),
                bad("unknown dtype", entry("\"dtype\": \"F128\", \"shape\": [1], \"data_offsets\": [0, 16]", sixteen),
                        "unknown dtype 'F128'"),
                bad("metadata not strings", file("{\"__metadata__\": {\"k\": 1}}", four),
                        "__metadata__ entry 'k' that is not a single string"),
                bad("metadata not object", file("{\"__metadata__\": \"x\"}", four),
                        "__metadata__ entry that is not an object of strings"),
                bad("truncated in length", new byte[] {16, 0, 0}, "shorter than 8 bytes (3)"),
                bad("truncated in header", Arrays.copyOf(file("{\"a\": " + OK_ENTRY + "}", four), 30),
                        "larger than the file (30 bytes)"),
                bad("truncated in data", Arrays.copyOf(entry("\"dtype\": \"F32\", \"shape\": [4],"
                        + " \"data_offsets\": [0, 16]", sixteen), 8 + 62 + 10), "out of the data region of 10 bytes"
                        + " (is the file truncated?)"),
                bad("header length negative as i64", withLength(Long.MIN_VALUE, "{}"), "9223372036854775808 bytes"),
                bad("header not utf-8", file(new byte[] {'{', '"', (byte) 0xff, '"', ':', '1', '}'}, four),
                        "header that is not valid UTF-8"),
                bad("header taken for utf-32", file(new byte[] {'{', 0, 0, 0, '"', 'a', '"', ':', '1', '}'}, four),
                        "not valid JSON"),
                bad("deeply nested unknown field", entry("\"dtype\": \"F32\", \"shape\": [1], \"data_offsets\":"
                        + " [0, 4], \"x\": " + "[".repeat(5000) + "]".repeat(5000), four), "not valid JSON"),
                bad("overlap with the same begin", file("{\"a\": {\"dtype\": \"F32\", \"shape\": [1], \"data_offsets\":"
                        + " [0, 4]}, \"b\": {\"dtype\": \"F16\", \"shape\": [2], \"data_offsets\": [0, 4]}}", four),
                        "overlapping tensors 'a' [0, 4) and 'b' [0, 4)"),
                bad("f16 shape mismatch", entry("\"dtype\": \"F16\", \"shape\": [3], \"data_offsets\": [0, 4]", four),
                        "tensor 'a' 4 bytes but its shape [3] of F16 needs 6"),
                bad("huge dims, no zero", entry("\"dtype\": \"F32\", \"shape\": [65536, 65536],"
                        + " \"data_offsets\": [0, 4]", four), "needs 17179869184"),
                bad("empty but a dim beyond int", entry("\"dtype\": \"F32\", \"shape\": [0, 3000000000],"
                        + " \"data_offsets\": [0, 0]", four), "too large for one Java array"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badFiles")
    void rejectsBadFileNamingTheFileAndTheProblem(String caseName, byte[] bytes, String phrase) throws IOException {
        Path file = write("bad.safetensors", bytes);
        WeightsFormatException e = assertThrows(WeightsFormatException.class, () -> SafetensorsReader.read(file));
        assertTrue(e.getMessage().contains(phrase), e.getMessage());
        assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
    }

    @Test
    void readsAnEmptyTensorWhoseOtherDimensionsAreHuge() throws IOException {
        // Shape.of used to reject the product of the dimensions before the zero (found by NpyFuzzTest).
        byte[] bytes = entry("\"dtype\": \"F32\", \"shape\": [3000000, 3000000, 0], \"data_offsets\": [0, 0]",
                new byte[0]);
        Weights w = SafetensorsReader.read(write("empty.safetensors", bytes));
        assertEquals(0, w.get("a", Shape.of(3000000, 3000000, 0)).size());
    }

    @Test
    void aTruncatedCopyOfARealFileIsRejectedAndNamed() throws IOException {
        Path file = dir.resolve("full.safetensors");
        SafetensorsWriter.write(file, Map.of("w", randomTensor(Shape.of(64, 3, 3, 3), new Random(3))), Map.of());
        byte[] full = Files.readAllBytes(file);
        for (int keep : new int[] {full.length - 1, full.length - 100, full.length / 2, 12}) {
            Path cut = write("cut.safetensors", Arrays.copyOf(full, keep));
            WeightsFormatException e = assertThrows(WeightsFormatException.class, () -> SafetensorsReader.read(cut));
            assertTrue(e.getMessage().startsWith(cut.toString()), e.getMessage());
            assertTrue(e.getMessage().contains("truncated") || e.getMessage().contains("larger than the file"),
                    e.getMessage());
        }
    }

    /**
     * The reader's half of the non-finite weights policy: NaN and infinities are read bit for bit, so
     * that a damaged checkpoint can be inspected; {@code WeightsCheck} reports them and compilation
     * refuses them (tested in api and cpu-fallback).
     */
    @Test
    void readsNonFiniteValuesAsTheyAreForWeightsCheckToReport() throws IOException {
        float[] values = {1f, Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, -0f};
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        tensors.put("features.norm0.running_var", Tensor.of(Shape.of(5), values));
        tensors.put("classifier.bias", Tensor.of(Shape.of(2), new float[] {0.5f, 2f}));
        Path file = dir.resolve("nan.safetensors");
        SafetensorsWriter.write(file, tensors, Map.of());

        Weights w = SafetensorsReader.read(file);

        assertBitsEqual(values, w.get("features.norm0.running_var", Shape.of(5)).data());
        assertEquals(List.of(new dev.backlight.api.WeightsCheck.NonFiniteTensor("features.norm0.running_var", 1, 1, 1, 1)),
                dev.backlight.api.WeightsCheck.nonFinite(w));
    }

    @Test
    void readsFromMemoryAsFromAFile() throws IOException {
        byte[] bytes = handBuiltHalfPrecisionFile();
        Weights fromFile = SafetensorsReader.read(write("f.safetensors", bytes));
        Weights fromMemory = SafetensorsReader.read(new InMemoryChannel(bytes), "memory");
        assertEquals(List.copyOf(fromFile.names()), List.copyOf(fromMemory.names()));
        for (String name : fromFile.names()) {
            assertArrayEquals(fromFile.asMap().get(name).data(), fromMemory.asMap().get(name).data(), name);
        }
    }

    @Test
    void reportsAMissingFileAsUnreadable() {
        Path missing = dir.resolve("missing.safetensors");
        WeightsFormatException e = assertThrows(WeightsFormatException.class, () -> SafetensorsReader.read(missing));
        assertTrue(e.getMessage().contains("cannot read weights file " + missing), e.getMessage());
    }

    // ---- the writer's bytes ------------------------------------------------------------------

    @Test
    void writerLaysOutHeaderAndDataExactly() throws IOException {
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        tensors.put("b", Tensor.of(Shape.of(2, 3), new float[] {1, 2, 3, 4, 5, 6}));
        tensors.put("a", Tensor.of(Shape.of(1), new float[] {-0.5f}));
        Path file = dir.resolve("w.safetensors");
        SafetensorsWriter.write(file, tensors, Map.of("format", "pt"));

        byte[] bytes = Files.readAllBytes(file);
        ByteBuffer in = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        long headerLength = in.getLong();
        assertEquals(0, headerLength % 8, "header padded to a multiple of 8");
        String header = new String(bytes, 8, (int) headerLength, StandardCharsets.UTF_8);
        String json = "{\"__metadata__\":{\"format\":\"pt\"},"
                + "\"b\":{\"dtype\":\"F32\",\"shape\":[2,3],\"data_offsets\":[0,24]},"
                + "\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[24,28]}}";
        assertEquals(json + " ".repeat((int) headerLength - json.length()), header);
        assertTrue(headerLength - json.length() < 8, "padding is minimal");
        assertEquals(8 + headerLength + 28, bytes.length);
        in.position(8 + (int) headerLength);
        for (float expected : new float[] {1, 2, 3, 4, 5, 6, -0.5f}) {
            assertEquals(expected, in.getFloat());
        }
    }

    @Test
    void writerOmitsEmptyMetadataAndRejectsTheReservedName() throws IOException {
        Path file = dir.resolve("m.safetensors");
        SafetensorsWriter.write(file, Map.of("x", Tensor.zeros(Shape.of(1))), null);
        assertFalse(new String(Files.readAllBytes(file), StandardCharsets.UTF_8).contains("__metadata__"));

        assertThrows(IllegalArgumentException.class, () -> SafetensorsWriter.write(dir.resolve("r.safetensors"),
                Map.of("__metadata__", Tensor.zeros(Shape.of(1))), Map.of()));
        assertFalse(Files.exists(dir.resolve("r.safetensors")));
    }

    @Test
    void writeReplacesAtomicallyAndAFailedWriteLeavesNothingBehind() throws IOException {
        Path file = write("x.safetensors", new byte[] {1, 2, 3});
        SafetensorsWriter.write(file, Map.of("w", Tensor.of(Shape.of(1), new float[] {4f})), Map.of());
        assertArrayEquals(new float[] {4f}, SafetensorsReader.read(file).get("w", Shape.of(1)).data());

        Path occupied = Files.createDirectory(dir.resolve("occupied.safetensors"));
        Files.writeString(occupied.resolve("inside"), "keeps the directory non-empty");
        BacklightException e = assertThrows(BacklightException.class,
                () -> SafetensorsWriter.write(occupied, Map.of("w", Tensor.zeros(Shape.of(1))), Map.of()));
        assertTrue(e.getMessage().contains("cannot write " + occupied), e.getMessage());

        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(List.of("occupied.safetensors", "x.safetensors"),
                    files.map(p -> p.getFileName().toString()).sorted().collect(Collectors.toList()));
        }
    }

    // ---- helpers -----------------------------------------------------------------------------

    private static Arguments bad(String name, byte[] bytes, String phrase) {
        return Arguments.of(name, bytes, phrase);
    }

    /** A file with one tensor 'a' whose entry fields are {@code fields}. */
    private static byte[] entry(String fields, byte[] data) {
        return file("{\"a\": {" + fields + "}}", data);
    }

    /** The 8-byte little-endian length of {@code header}, its UTF-8 bytes, then {@code data}. */
    private static byte[] file(String header, byte[] data) {
        return file(header.getBytes(StandardCharsets.UTF_8), data);
    }

    /** The 8-byte little-endian length of {@code header}, its bytes as given, then {@code data}. */
    private static byte[] file(byte[] header, byte[] data) {
        return ByteBuffer.allocate(8 + header.length + data.length).order(ByteOrder.LITTLE_ENDIAN)
                .putLong(header.length).put(header).put(data).array();
    }

    /** A declared header length that need not match what follows. */
    private static byte[] withLength(long declared, String rest) {
        byte[] tail = rest.getBytes(StandardCharsets.UTF_8);
        return ByteBuffer.allocate(8 + tail.length).order(ByteOrder.LITTLE_ENDIAN).putLong(declared).put(tail).array();
    }

    private Path write(String name, byte[] bytes) throws IOException {
        return Files.write(dir.resolve(name), bytes);
    }

    private static void assertBitsEqual(float[] expected, float[] actual) {
        assertEquals(expected.length, actual.length);
        for (int i = 0; i < expected.length; i++) {
            if (Float.isNaN(expected[i])) {
                assertTrue(Float.isNaN(actual[i]), "element " + i + " should be NaN but is " + actual[i]);
            } else {
                assertEquals(Float.floatToIntBits(expected[i]), Float.floatToIntBits(actual[i]),
                        "element " + i + ": expected " + expected[i] + " but was " + actual[i]);
            }
        }
    }

    private static Tensor randomTensor(Shape shape, Random random) {
        float[] data = new float[shape.size()];
        for (int i = 0; i < data.length; i++) {
            data[i] = (float) random.nextGaussian();
        }
        return Tensor.of(shape, data);
    }
}
