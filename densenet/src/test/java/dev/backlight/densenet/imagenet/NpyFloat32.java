package dev.backlight.densenet.imagenet;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A float32 array read from a {@code .npy} file (little-endian {@code <f4}, C order), enough for
 * the golden files that {@code make_golden.py} writes with {@code numpy.save}.
 */
record NpyFloat32(int[] shape, float[] data) {
    private static final Pattern DESCR = Pattern.compile("'descr':\\s*'([^']*)'");
    private static final Pattern FORTRAN = Pattern.compile("'fortran_order':\\s*(True|False)");
    private static final Pattern SHAPE = Pattern.compile("'shape':\\s*\\(([^)]*)\\)");

    /** Reads a whole {@code .npy} stream (format version 1, 2 or 3). */
    static NpyFloat32 read(InputStream stream) throws IOException {
        DataInputStream in = new DataInputStream(stream);
        byte[] magic = in.readNBytes(6);
        String name = new String(magic, StandardCharsets.ISO_8859_1);
        if (!"\u0093NUMPY".equals(name)) {
            throw new IOException("not a .npy file: bad magic " + Arrays.toString(magic));
        }
        int major = in.readUnsignedByte();
        in.readUnsignedByte();
        byte[] lengthBytes = in.readNBytes(major == 1 ? 2 : 4);
        int headerLength = ByteBuffer.wrap(Arrays.copyOf(lengthBytes, 4)).order(ByteOrder.LITTLE_ENDIAN).getInt();
        String header = new String(in.readNBytes(headerLength), StandardCharsets.ISO_8859_1);
        String descr = group(DESCR, header);
        if (!"<f4".equals(descr) || !"False".equals(group(FORTRAN, header))) {
            throw new IOException("expected a C-order '<f4' array, header is " + header.trim());
        }
        int[] shape = Arrays.stream(group(SHAPE, header).split(","))
                .map(String::trim)
                .filter(s -> !s.isEmpty())
                .mapToInt(Integer::parseInt)
                .toArray();
        int count = Arrays.stream(shape).reduce(1, (a, b) -> a * b);
        byte[] bytes = in.readNBytes(count * Float.BYTES);
        if (bytes.length != count * Float.BYTES) {
            throw new IOException(".npy data truncated: " + bytes.length + " of " + count * Float.BYTES + " bytes");
        }
        float[] data = new float[count];
        ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(data);
        return new NpyFloat32(shape, data);
    }

    private static String group(Pattern pattern, String header) throws IOException {
        Matcher m = pattern.matcher(header);
        if (!m.find()) {
            throw new IOException("malformed .npy header: " + header.trim());
        }
        return m.group(1);
    }
}
