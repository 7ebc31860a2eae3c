package dev.backlight.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The {@code .npy} format as NumPy's format specification states it (NEP 1 / {@code
 * numpy.lib.format}), written and read here without Backlight's own code: magic {@code \x93NUMPY},
 * major and minor version, a little-endian header length (2 bytes in 1.0, 4 in 2.0), an ASCII
 * Python dict padded with spaces and ending in a newline so that the data starts at a multiple of
 * 64, then the data.
 */
public final class NpyFormat {
    private static final Pattern DICT = Pattern.compile(
            "\\{'descr': '([^']+)', 'fortran_order': (True|False), 'shape': \\(([0-9, ]*)\\), \\}\\s*\\n");

    private NpyFormat() {
    }

    /** A parsed file: its version, dtype, order, shape and little-endian float32 data. */
    public record Parsed(int major, String descr, boolean fortran, int[] shape, float[] data) {
    }

    /** Parses a float32 file strictly by the specification. */
    public static Parsed parse(Path file) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        assertEquals((byte) 0x93, bytes[0]);
        assertEquals("NUMPY", new String(bytes, 1, 5, StandardCharsets.US_ASCII));
        int major = bytes[6];
        assertTrue(major == 1 || major == 2, "version " + major);
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        int headerLength = major == 1 ? Short.toUnsignedInt(b.getShort(8)) : b.getInt(8);
        int start = major == 1 ? 10 : 12;
        int dataStart = start + headerLength;
        assertEquals(0, dataStart % 64, "the data must start at a multiple of 64");
        String dict = new String(bytes, start, headerLength, StandardCharsets.US_ASCII);
        Matcher m = DICT.matcher(dict);
        assertTrue(m.matches(), "header: " + dict);
        int[] shape = Arrays.stream(m.group(3).split(",")).map(String::trim).filter(s -> !s.isEmpty())
                .mapToInt(Integer::parseInt).toArray();
        int n = Arrays.stream(shape).reduce(1, (x, y) -> x * y);
        assertEquals(dataStart + 4L * n, bytes.length, "file size");
        float[] data = new float[n];
        b.position(dataStart);
        b.asFloatBuffer().get(data);
        return new Parsed(major, m.group(1), m.group(2).equals("True"), shape, data);
    }

    /** Writes a little-endian float32 C-order array in format version {@code major}.0. */
    public static void write(Path file, int major, int[] shape, float[] data) throws IOException {
        StringBuilder s = new StringBuilder();
        for (int d : shape) {
            s.append(d).append(", ");
        }
        String dims = shape.length == 1 ? shape[0] + "," : s.substring(0, s.length() - 2);
        String dict = "{'descr': '<f4', 'fortran_order': False, 'shape': (" + dims + "), }";
        int prefix = major == 1 ? 10 : 12;
        int headerLength = (prefix + dict.length() + 1 + 63) / 64 * 64 - prefix;
        ByteBuffer b = ByteBuffer.allocate(prefix + headerLength + 4 * data.length).order(ByteOrder.LITTLE_ENDIAN);
        b.put((byte) 0x93).put("NUMPY".getBytes(StandardCharsets.US_ASCII)).put((byte) major).put((byte) 0);
        if (major == 1) {
            b.putShort((short) headerLength);
        } else {
            b.putInt(headerLength);
        }
        b.put(dict.getBytes(StandardCharsets.US_ASCII));
        for (int i = dict.length(); i < headerLength - 1; i++) {
            b.put((byte) ' ');
        }
        b.put((byte) '\n');
        for (float v : data) {
            b.putFloat(v);
        }
        Files.write(file, b.array());
    }
}
