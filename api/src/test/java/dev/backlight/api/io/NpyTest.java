package dev.backlight.api.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.backlight.api.BacklightException;
import dev.backlight.api.InputFormatException;
import dev.backlight.api.Shape;
import dev.backlight.api.Tensor;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class NpyTest {
    private static final String F4_2X3 = "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }";
    private static final float[] SIX = {1.5f, -2f, 0f, 3.25f, Float.MAX_VALUE, -Float.MIN_VALUE};

    @TempDir
    Path dir;

    // ---- round trips -------------------------------------------------------------------------

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 3, 4})
    void roundTripsSeededRandomDataOfEachRank(int rank) {
        Random random = new Random(1000 + rank);
        int[] dims = new int[rank];
        for (int i = 0; i < rank; i++) {
            dims[i] = 1 + random.nextInt(7);
        }
        Tensor written = randomTensor(Shape.of(dims), random);
        Path file = dir.resolve("rank" + rank + ".npy");

        Npy.write(file, written);
        Tensor read = Npy.read(file);

        assertEquals(written.shape(), read.shape());
        assertArrayEquals(written.data(), read.data());
    }

    @Test
    void roundTripsSpecialValuesScalarsAndEmptyArrays() {
        float[] special = {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, -0f, Float.MIN_VALUE,
            Float.intBitsToFloat(0x7fc12345)};
        for (Tensor t : List.of(Tensor.of(Shape.of(6), special), Tensor.of(Shape.of(), new float[] {42.5f}),
                Tensor.zeros(Shape.of(0, 3)), Tensor.zeros(Shape.of(4, 0)))) {
            Path file = dir.resolve("special.npy");
            Npy.write(file, t);
            Tensor read = Npy.read(file);
            assertEquals(t.shape(), read.shape());
            assertArrayEquals(t.data(), read.data(), "bit-exact for " + t);
        }
    }

    @Test
    void roundTripsAnArrayLargerThanOneChunkThroughAStream() throws IOException {
        int count = 3 * (1 << 20) / 2 + 7; // crosses the 1 MiB chunk and the initial stream allocation
        Tensor written = randomTensor(Shape.of(count), new Random(7));
        Path file = dir.resolve("large.npy");
        Npy.write(file, written);

        try (InputStream in = Files.newInputStream(file)) {
            assertArrayEquals(written.data(), Npy.read(in, "large.npy").data());
        }
    }

    @Test
    void streamReadStopsRightAfterTheArraySoSeveralCanFollowEachOther() throws IOException {
        ByteArrayOutputStream both = new ByteArrayOutputStream();
        both.write(handBuilt(1, F4_2X3, 64, SIX));
        both.write(handBuilt(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (1,), }", 64, 9f));
        InputStream in = new ByteArrayInputStream(both.toByteArray());

        assertArrayEquals(SIX, Npy.read(in, "both").data());
        assertArrayEquals(new float[] {9f}, Npy.read(in, "both").data());
        assertEquals(-1, in.read());
    }

    // ---- reading files built by hand per the format spec -------------------------------------

    @Test
    void readsHandBuiltVersion1File() throws IOException {
        Tensor t = Npy.read(write("v1.npy", handBuilt(1, F4_2X3, 64, SIX)));
        assertEquals(Shape.of(2, 3), t.shape());
        assertArrayEquals(SIX, t.data());
    }

    @Test
    void readsHandBuiltVersion2FileWithFourByteHeaderLength() throws IOException {
        String dict = "{'descr': '<f4', 'fortran_order': False, 'shape': (3, 1, 2), }";
        Tensor t = Npy.read(write("v2.npy", handBuilt(2, dict, 64, SIX)));
        assertEquals(Shape.of(3, 1, 2), t.shape());
        assertArrayEquals(SIX, t.data());
    }

    @Test
    void readsHandBuiltVersion3FileWithUtf8Header() throws IOException {
        String dict = "{'descr': '<f4', 'fortran_order': False, 'shape': (6,), }";
        Tensor t = Npy.read(write("v3.npy", handBuilt(3, dict, 64, SIX)));
        assertEquals(Shape.of(6), t.shape());
        assertArrayEquals(SIX, t.data());
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "{\"shape\": (2,3), \"descr\": \"<f4\", \"fortran_order\": False}",
        "{ 'fortran_order' : False ,\t'shape':( 2 , 3 ), 'descr':'<f4' , }",
        "{'descr': '<f4', 'fortran_order': False, 'shape': (2L, 3L), }"})
    void readsHeadersInOtherLegalSpellingsAndOldSixteenByteAlignment(String dict) throws IOException {
        Tensor t = Npy.read(write("legal.npy", handBuilt(1, dict, 16, SIX)));
        assertEquals(Shape.of(2, 3), t.shape());
        assertArrayEquals(SIX, t.data());
    }

    @Test
    void readsScalarAndEmptyArraysBuiltByHand() throws IOException {
        String scalar = "{'descr': '<f4', 'fortran_order': False, 'shape': (), }";
        assertEquals(Shape.of(), Npy.read(write("s.npy", handBuilt(1, scalar, 64, 7f))).shape());
        String empty = "{'descr': '<f4', 'fortran_order': False, 'shape': (0, 5), }";
        assertEquals(Shape.of(0, 5), Npy.read(write("e.npy", handBuilt(1, empty, 64))).shape());
    }

    // ---- rejected files ----------------------------------------------------------------------

    static Stream<Arguments> badFiles() {
        byte[] v1 = handBuilt(1, F4_2X3, 64, SIX);
        byte[] version4 = v1.clone();
        version4[6] = 4;
        byte[] version11 = v1.clone();
        version11[7] = 1;
        byte[] headerBeyondFile = v1.clone();
        headerBeyondFile[8] = (byte) 0xff; // header length 0x??ff, far beyond 88 bytes
        headerBeyondFile[9] = (byte) 0x7f;
        byte[] badUtf8 = handBuilt(3, "{'descr': '<f4', 'fortran_order': False, 'shape': (6,), }", 64, SIX);
        badUtf8[12] = (byte) 0xc3; // a lead byte followed by an ASCII quote
        return Stream.of(
                Arguments.of("magic", "PK\u0003\u0004 a zip".getBytes(StandardCharsets.ISO_8859_1),
                        "not a NumPy .npy file"),
                Arguments.of("empty", new byte[0], "not a NumPy .npy file"),
                Arguments.of("magic only", new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'}, "truncated"),
                Arguments.of("version 4.0", version4, "format version 4.0"),
                Arguments.of("version 1.1", version11, "format version 1.1"),
                Arguments.of("big-endian", withDescr("'>f4'"), "big-endian float32 ('>f4')"),
                Arguments.of("float64", withDescr("'<f8'"), "holds float64 ('<f8'); Backlight reads float32:"
                        + " save with arr.astype(np.float32)"),
                Arguments.of("float16", withDescr("'<f2'"), "holds float16 ('<f2')"),
                Arguments.of("int64", withDescr("'<i8'"), "holds int64 ('<i8')"),
                Arguments.of("big-endian float64", withDescr("'>f8'"), "big-endian float64"),
                Arguments.of("object", withDescr("'|O'"), "Python objects"),
                Arguments.of("structured", withDescr("[('x', '<f4'), ('y', '<f4')]"), "structured"),
                Arguments.of("fortran", handBuilt(1, F4_2X3.replace("False", "True"), 64, SIX), "Fortran"),
                Arguments.of("truncated", handBuilt(1, F4_2X3, 64, 1f, 2f, 3f), "truncated"),
                Arguments.of("trailing", handBuilt(1, F4_2X3, 64, 1f, 2f, 3f, 4f, 5f, 6f, 7f), "4 bytes after"),
                Arguments.of("overflow", withShape("(2147483647, 2147483647, 4)"), "overflows"),
                Arguments.of("too many", withShape("(65536, 32768)"), "overflows"),
                Arguments.of("huge dim", withShape("(0, 3000000000)"), "overflows a Java int"),
                Arguments.of("huge literal", withShape("(99999999999999999999999999,)"), "overflows"),
                Arguments.of("negative", withShape("(2, -3)"), "negative dimension"),
                Arguments.of("header beyond file", headerBeyondFile, "beyond the end of the file"),
                Arguments.of("bad utf-8", badUtf8, "not valid UTF-8"),
                Arguments.of("truncated in version", Arrays.copyOf(v1, 7), "ends inside its format version"),
                Arguments.of("truncated in length", Arrays.copyOf(v1, 9), "ends inside its header length"),
                Arguments.of("truncated in header", Arrays.copyOf(v1, 40), "beyond the end of the file"),
                Arguments.of("truncated at data", Arrays.copyOf(v1, 130), "truncated: shape [2, 3] needs 24 data bytes"),
                Arguments.of("v2 header beyond file", v2HeaderLength(0x1000), "beyond the end of the file"),
                Arguments.of("unicode dtype", withDescr("'<U8'"), "unicode strings ('<U8')"),
                Arguments.of("long unicode dtype", withDescr("'<U100000000000'"), "unicode strings ('<U100000000000')"),
                Arguments.of("absurd dtype width", withDescr("'<f99999999999'"), "an unrecognised dtype ('<f99999999999')"),
                Arguments.of("native-order float32", withDescr("'=f4'"), "('=f4')"),
                Arguments.of("long integer literal", withShape("(" + "9".repeat(50) + ",)"), "integer of 50 digits"),
                Arguments.of("rank 40 of 2s", withShape("(" + "2, ".repeat(40) + ")"), "overflows"),
                Arguments.of("huge dims before a zero", withShape("(2147483647, 3000000000, 0)"), "overflows a Java int"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badFiles")
    void rejectsBadFileNamingTheFileAndTheProblem(String caseName, byte[] bytes, String phrase) throws IOException {
        Path file = write("bad.npy", bytes);
        InputFormatException e = assertThrows(InputFormatException.class, () -> Npy.read(file));
        assertTrue(e.getMessage().contains(phrase), e.getMessage());
        assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badFiles")
    void rejectsTheSameBadBytesFromAStream(String caseName, byte[] bytes, String phrase) {
        String expected = phrase.equals("4 bytes after") ? null : phrase; // a stream may go on after an array
        if (expected == null) {
            assertArrayEquals(new float[] {1f, 2f, 3f, 4f, 5f, 6f},
                    Npy.read(new ByteArrayInputStream(bytes), "s").data());
            return;
        }
        InputFormatException e = assertThrows(InputFormatException.class,
                () -> Npy.read(new ByteArrayInputStream(bytes), "stream-x"));
        String message = e.getMessage();
        assertTrue(message.contains("stream-x"), message);
        boolean sameOrStreamEquivalent = message.contains(expected)
                || expected.equals("beyond the end of the file") && message.contains("beyond the end");
        assertTrue(sameOrStreamEquivalent, message);
    }

    @Test
    void rejectsAnAbsurdHeaderLengthBeforeReadingIt() {
        byte[] bytes = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 2, 0, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0x7f};
        InputFormatException e = assertThrows(InputFormatException.class,
                () -> Npy.read(new ByteArrayInputStream(bytes), "s.npy"));
        assertTrue(e.getMessage().contains("header of 2147483647 bytes, more than"), e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "{'descr': '<f4' 'fortran_order': False, 'shape': (2, 3)}",
        "{'descr': '<f4', 'fortran_order': False}",
        "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), 'extra': 1}",
        "{'descr': '<f4', 'descr': '<f4', 'fortran_order': False, 'shape': (2, 3)}",
        "{'descr': '<f4', 'fortran_order': False, 'shape': [2, 3]}",
        "{'descr': '<f4', 'fortran_order': False, 'shape': (6)}",
        "{'descr': '<f4', 'fortran_order': False, 'shape': ('2', 3)}",
        "{'descr': '<f4', 'fortran_order': 0, 'shape': (2, 3)}",
        "{'descr': '<f4, 'fortran_order': False, 'shape': (2, 3)}",
        "{'descr': '<f\\x34', 'fortran_order': False, 'shape': (2, 3)}",
        "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3)} junk",
        "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3)",
        "{'descr': '<f4', 'fortran_order': None, 'shape': (2, 3)}",
        "{'descr': '<f4', 'fortran_order': False, 'shape': (2, -)}",
        "['descr', '<f4']",
        "__import__('os').system('echo pwned')",
        ""})
    void rejectsHeadersThatDoNotParse(String dict) throws IOException {
        Path file = write("h.npy", handBuilt(1, dict, 64, SIX));
        InputFormatException e = assertThrows(InputFormatException.class, () -> Npy.read(file));
        assertTrue(e.getMessage().contains("header that does not parse"), e.getMessage());
        assertTrue(e.getMessage().contains("h.npy"), e.getMessage());
    }

    @Test
    void rejectsDeeplyNestedHeaderWithoutOverflowingTheStack() throws IOException {
        String dict = "{'descr': " + "(".repeat(5000) + ")".repeat(5000) + ", 'fortran_order': False, 'shape': ()}";
        Path file = write("deep.npy", handBuilt(1, dict, 64, 1f));
        InputFormatException e = assertThrows(InputFormatException.class, () -> Npy.read(file));
        assertTrue(e.getMessage().contains("nesting deeper"), e.getMessage());
    }

    @Test
    void readsAnEmptyArrayWhoseOtherDimensionsAreHugeAsEmpty() throws IOException {
        // Found by NpyFuzzTest: Shape.of used to reject the product of the dimensions before the zero.
        Path file = write("empty-huge.npy", withShapeNoData("(2147483647, 214368744, 0, 4)"));
        Tensor t = Npy.read(file);
        assertEquals(Shape.of(2147483647, 214368744, 0, 4), t.shape());
        assertEquals(0, t.size());
    }

    @Test
    void rejectsAHeaderOfHugeIntegerLiteralsQuickly() throws IOException {
        // A megabyte of digits would take BigInteger seconds to parse and multiply; lengths are capped.
        String dims = ("9".repeat(35) + ", ").repeat(20_000);
        Path file = write("digits.npy", handBuilt(2, "{'descr': '<f4', 'fortran_order': False, 'shape': (" + dims
                + "), }", 64, 1f));
        long start = System.nanoTime();
        InputFormatException e = assertThrows(InputFormatException.class, () -> Npy.read(file));
        long millis = (System.nanoTime() - start) / 1_000_000;
        assertTrue(e.getMessage().contains("overflows a Java int") && e.getMessage().contains("19984 more"),
                e.getMessage());
        assertTrue(millis < 2000, "took " + millis + " ms");
    }

    @Test
    void reportsAMissingFileAsUnreadable() {
        Path missing = dir.resolve("missing.npy");
        InputFormatException e = assertThrows(InputFormatException.class, () -> Npy.read(missing));
        assertTrue(e.getMessage().contains("cannot read " + missing), e.getMessage());
    }

    // ---- the writer's bytes ------------------------------------------------------------------

    @Test
    void writerHeaderMatchesTheSpecExactly() throws IOException {
        assertHeader(Shape.of(2, 3), "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }");
        assertHeader(Shape.of(5), "{'descr': '<f4', 'fortran_order': False, 'shape': (5,), }");
        assertHeader(Shape.of(), "{'descr': '<f4', 'fortran_order': False, 'shape': (), }");
        assertHeader(Shape.of(1, 3, 224, 224),
                "{'descr': '<f4', 'fortran_order': False, 'shape': (1, 3, 224, 224), }");
    }

    private void assertHeader(Shape shape, String expectedDict) throws IOException {
        Tensor t = randomTensor(shape, new Random(shape.hashCode()));
        Path file = dir.resolve("h.npy");
        Npy.write(file, t);
        byte[] bytes = Files.readAllBytes(file);

        assertArrayEquals(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0}, Arrays.copyOf(bytes, 8));
        int headerLength = (bytes[8] & 0xff) | (bytes[9] & 0xff) << 8;
        int dataStart = 10 + headerLength;
        assertEquals(0, dataStart % 64, "data offset must be a multiple of 64");
        String header = new String(bytes, 10, headerLength, StandardCharsets.ISO_8859_1);
        String padded = expectedDict + " ".repeat(headerLength - expectedDict.length() - 1) + "\n";
        assertEquals(padded, header);
        assertTrue(dataStart - 64 < 10 + expectedDict.length() + 1, "padding is minimal");
        assertEquals(dataStart + 4L * shape.size(), bytes.length);
        ByteBuffer data = ByteBuffer.wrap(bytes, dataStart, bytes.length - dataStart).order(ByteOrder.LITTLE_ENDIAN);
        for (float expected : t.data()) {
            assertEquals(Float.floatToRawIntBits(expected), Float.floatToRawIntBits(data.getFloat()));
        }
    }

    @Test
    void writerFallsBackToVersion2OnlyWhenTheHeaderExceedsVersion1() {
        int[] manyDims = new int[30000];
        Arrays.fill(manyDims, 1);
        byte[] header = Npy.header(Shape.of(manyDims));
        assertEquals(2, header[6]);
        assertEquals(0, header.length % 64);
        assertEquals(1, Npy.header(Shape.of(3))[6]);
    }

    @Test
    void writeReplacesAnExistingFileAndLeavesNoTemporaryFiles() throws IOException {
        Path file = write("x.npy", "old content".getBytes(StandardCharsets.US_ASCII));
        Npy.write(file, Tensor.of(Shape.of(6), SIX));

        assertArrayEquals(SIX, Npy.read(file).data());
        assertEquals(List.of("x.npy"), listNames());
    }

    @Test
    void failedWriteLeavesNoFileBehind() throws IOException {
        Path occupied = Files.createDirectory(dir.resolve("occupied.npy"));
        Files.writeString(occupied.resolve("inside"), "keeps the directory non-empty");

        BacklightException e = assertThrows(BacklightException.class,
                () -> Npy.write(occupied, Tensor.of(Shape.of(6), SIX)));
        assertTrue(e.getMessage().contains("cannot write " + occupied), e.getMessage());
        assertEquals(List.of("occupied.npy"), listNames());

        Path orphan = dir.resolve("no-such-dir").resolve("x.npy");
        assertThrows(BacklightException.class, () -> Npy.write(orphan, Tensor.of(Shape.of(6), SIX)));
        assertFalse(Files.exists(orphan.getParent()));
    }

    // ---- interoperability with NumPy itself, where installed ---------------------------------

    @Test
    void numpyWritesEveryVersionAndWeReadIt() throws Exception {
        PythonNumpy.assumeAvailable();
        PythonNumpy.run(dir,
                "import numpy as np, sys\n"
                + "d = sys.argv[1]\n"
                + "a = np.arange(2*3*5, dtype=np.float32).reshape(2, 3, 5) * np.float32(0.25) - np.float32(3)\n"
                + "np.save(d + '/np1.npy', a)\n"
                + "for v in [(1, 0), (2, 0), (3, 0)]:\n"
                + "    with open(d + '/np%d.npy' % v[0], 'wb') as f:\n"
                + "        np.lib.format.write_array(f, a, version=v)\n"
                + "np.save(d + '/scalar.npy', np.float32(1.5))\n"
                + "np.save(d + '/f8.npy', a.astype(np.float64))\n"
                + "np.save(d + '/fortran.npy', np.asfortranarray(a))\n"
                + "np.save(d + '/big.npy', a.astype('>f4'))\n"
                + "np.save(d + '/obj.npy', np.array([{}, 1], dtype=object), allow_pickle=True)\n");
        float[] expected = new float[30];
        for (int i = 0; i < expected.length; i++) {
            expected[i] = i * 0.25f - 3f;
        }
        for (String name : List.of("np1.npy", "np2.npy", "np3.npy")) {
            Tensor t = Npy.read(dir.resolve(name));
            assertEquals(Shape.of(2, 3, 5), t.shape(), name);
            assertArrayEquals(expected, t.data(), name);
        }
        assertArrayEquals(new float[] {1.5f}, Npy.read(dir.resolve("scalar.npy")).data());
        assertEquals(Shape.of(), Npy.read(dir.resolve("scalar.npy")).shape());
        assertRejected("f8.npy", "float64 ('<f8')");
        assertRejected("fortran.npy", "Fortran");
        assertRejected("big.npy", "big-endian");
        assertRejected("obj.npy", "Python objects");
    }

    @Test
    void numpyReadsWhatWeWrite() throws Exception {
        PythonNumpy.assumeAvailable();
        Tensor ours = randomTensor(Shape.of(3, 4, 5, 2), new Random(99));
        Npy.write(dir.resolve("ours.npy"), ours);
        Npy.write(dir.resolve("ours1d.npy"), Tensor.of(Shape.of(6), SIX));
        Npy.write(dir.resolve("ours0d.npy"), Tensor.of(Shape.of(), new float[] {-4f}));
        String out = PythonNumpy.run(dir,
                "import numpy as np, sys\n"
                + "d = sys.argv[1]\n"
                + "a = np.load(d + '/ours.npy')\n"
                + "assert a.dtype == np.float32 and a.dtype.byteorder in '<=' and a.flags.c_contiguous, a.dtype\n"
                + "np.save(d + '/twice.npy', a * np.float32(2))\n"
                + "print(a.shape, np.load(d + '/ours1d.npy').shape, np.load(d + '/ours0d.npy').shape)\n");
        assertEquals("(3, 4, 5, 2) (6,) ()", out.strip());
        Tensor twice = Npy.read(dir.resolve("twice.npy"));
        assertEquals(ours.shape(), twice.shape());
        for (int i = 0; i < ours.size(); i++) {
            assertEquals(2 * ours.data()[i], twice.data()[i], "element " + i);
        }
    }

    private void assertRejected(String name, String phrase) {
        InputFormatException e = assertThrows(InputFormatException.class, () -> Npy.read(dir.resolve(name)));
        assertTrue(e.getMessage().contains(phrase), e.getMessage());
    }

    // ---- helpers -----------------------------------------------------------------------------

    /**
     * A {@code .npy} file assembled byte by byte from the format description, independent of
     * {@link Npy}'s writer: magic, version, length field of 2 (v1) or 4 bytes, the dict padded with
     * spaces and a newline to a multiple of {@code alignment}, then the floats little-endian.
     */
    static byte[] handBuilt(int major, String dict, int alignment, float... data) {
        byte[] dictBytes = dict.getBytes(major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
        int prelude = 8 + (major == 1 ? 2 : 4);
        int unpadded = prelude + dictBytes.length + 1;
        int headerEnd = (unpadded + alignment - 1) / alignment * alignment;
        ByteBuffer out = ByteBuffer.allocate(headerEnd + 4 * data.length).order(ByteOrder.LITTLE_ENDIAN);
        out.put(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', (byte) major, 0});
        if (major == 1) {
            out.putShort((short) (headerEnd - prelude));
        } else {
            out.putInt(headerEnd - prelude);
        }
        out.put(dictBytes);
        while (out.position() < headerEnd - 1) {
            out.put((byte) ' ');
        }
        out.put((byte) '\n');
        for (float f : data) {
            out.putFloat(f);
        }
        return out.array();
    }

    private static byte[] withDescr(String descrLiteral) {
        return handBuilt(1, "{'descr': " + descrLiteral + ", 'fortran_order': False, 'shape': (2, 3), }", 64, SIX);
    }

    private static byte[] withShapeNoData(String shapeLiteral) {
        return handBuilt(1, "{'descr': '<f4', 'fortran_order': False, 'shape': " + shapeLiteral + ", }", 64);
    }

    /** A version 2.0 prelude declaring a header of {@code length} bytes, followed by a short one. */
    private static byte[] v2HeaderLength(int length) {
        byte[] file = handBuilt(2, F4_2X3, 64, SIX);
        ByteBuffer.wrap(file, 8, 4).order(ByteOrder.LITTLE_ENDIAN).putInt(length);
        return file;
    }

    private static byte[] withShape(String shapeLiteral) {
        return handBuilt(1, "{'descr': '<f4', 'fortran_order': False, 'shape': " + shapeLiteral + ", }", 64, SIX);
    }

    private Path write(String name, byte[] bytes) throws IOException {
        return Files.write(dir.resolve(name), bytes);
    }

    private List<String> listNames() throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(p -> p.getFileName().toString()).sorted().collect(Collectors.toList());
        }
    }

    private static Tensor randomTensor(Shape shape, Random random) {
        float[] data = new float[shape.size()];
        for (int i = 0; i < data.length; i++) {
            data[i] = (float) random.nextGaussian() * 10f;
        }
        return Tensor.of(shape, data);
    }
}
