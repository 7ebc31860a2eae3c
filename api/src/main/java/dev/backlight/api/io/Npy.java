package dev.backlight.api.io;

import dev.backlight.api.BacklightException;
import dev.backlight.api.InputFormatException;
import dev.backlight.api.Shape;
import dev.backlight.api.Tensor;
import dev.backlight.api.internal.io.AtomicFiles;
import dev.backlight.api.internal.io.LittleEndianFloats;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Reads and writes NumPy {@code .npy} files holding one little-endian float32 array in C order.
 *
 * <p>Reading accepts format versions 1.0, 2.0 and 3.0 and rejects anything else (other dtypes,
 * Fortran order, pickled objects, damaged or truncated files) with an {@link InputFormatException}
 * that names the file, the problem and the fix. The header is parsed as a restricted Python
 * literal, never evaluated. Writing produces version 1.0 (2.0 only for a header too long for 1.0)
 * with the data aligned to 64 bytes, as NumPy does, and replaces the target atomically.
 *
 * <p>Stateless and thread-safe. Returned tensors belong to the caller.
 */
public final class Npy {
    private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
    private static final int ALIGNMENT = 64;
    /** Far above any real header (NumPy itself refuses more than 10 000 bytes by default). */
    private static final int MAX_HEADER_BYTES = 1 << 20;
    /** Elements allocated up front when reading a stream of unknown length; grows as data arrives. */
    private static final int INITIAL_STREAM_ELEMENTS = 1 << 20;
    private static final String RESAVE = "save it again with np.save";

    private Npy() {}

    /**
     * Reads the float32 array in {@code file}.
     *
     * @throws InputFormatException if the file cannot be read or is not a little-endian float32
     *     C-order {@code .npy} array whose size matches its header
     */
    public static Tensor read(Path file) {
        String name = file.toString();
        try (InputStream in = Files.newInputStream(file)) {
            return read(in, name, Files.size(file));
        } catch (IOException e) {
            throw new InputFormatException("cannot read " + name + ": " + e + "; check the path and permissions", e);
        }
    }

    /**
     * Reads one float32 array from {@code in}, stopping right after its data; the caller owns and
     * closes the stream.
     *
     * @param nameForMessages what to call the source in error messages, such as a file name
     * @throws InputFormatException if the stream fails or does not hold a little-endian float32
     *     C-order {@code .npy} array, or ends before the data the header promises
     */
    public static Tensor read(InputStream in, String nameForMessages) {
        try {
            return read(in, nameForMessages, -1);
        } catch (IOException e) {
            throw new InputFormatException("cannot read " + nameForMessages + ": " + e, e);
        }
    }

    /**
     * Reads one array from {@code in}; {@code fileSize} is the total byte count when known (then the
     * data must fill the rest exactly), or -1 for a stream. Package-private for tests and fuzzing.
     */
    static Tensor read(InputStream in, String name, long fileSize) throws IOException {
        byte[] prelude = in.readNBytes(MAGIC.length + 2);
        if (prelude.length < MAGIC.length || !Arrays.equals(prelude, 0, MAGIC.length, MAGIC, 0, MAGIC.length)) {
            throw new InputFormatException(name + " is not a NumPy .npy file: it does not start with the bytes"
                    + " \\x93NUMPY; write arrays with np.save(path, arr)");
        }
        if (prelude.length < MAGIC.length + 2) {
            throw new InputFormatException(name + " ends inside its format version; the file is truncated: " + RESAVE);
        }
        int major = prelude[6] & 0xff;
        int minor = prelude[7] & 0xff;
        if (major < 1 || major > 3 || minor != 0) {
            throw new InputFormatException(name + " uses .npy format version " + major + "." + minor
                    + "; Backlight reads versions 1.0, 2.0 and 3.0: " + RESAVE + " from a current NumPy");
        }
        int lengthBytes = major == 1 ? 2 : 4;
        byte[] lengthField = in.readNBytes(lengthBytes);
        if (lengthField.length < lengthBytes) {
            throw new InputFormatException(name + " ends inside its header length; the file is truncated: " + RESAVE);
        }
        long headerLength = ByteBuffer.wrap(Arrays.copyOf(lengthField, 8)).order(ByteOrder.LITTLE_ENDIAN).getLong();
        long dataStart = prelude.length + lengthBytes + headerLength;
        if (fileSize >= 0 && dataStart > fileSize) {
            throw headerBeyondEnd(name, headerLength, fileSize);
        }
        if (headerLength > MAX_HEADER_BYTES) {
            throw new InputFormatException(name + " declares a header of " + headerLength + " bytes, more than the "
                    + MAX_HEADER_BYTES + " Backlight accepts; the file is damaged: " + RESAVE);
        }
        byte[] headerBytes = in.readNBytes((int) headerLength);
        if (headerBytes.length < headerLength) {
            throw headerBeyondEnd(name, headerLength, prelude.length + lengthBytes + headerBytes.length);
        }
        Shape shape = NpyHeader.parse(decode(headerBytes, major, name), name).float32Shape();
        long dataBytes = 4L * shape.size();
        if (fileSize >= 0) {
            long available = fileSize - dataStart;
            if (available < dataBytes) {
                throw truncated(name, shape, available, dataBytes);
            } else if (available > dataBytes) {
                throw new InputFormatException(name + " has " + (available - dataBytes) + " bytes after the "
                        + dataBytes + " data bytes that shape " + shape + " needs; the header is wrong or"
                        + " several arrays were appended to one file: save one array per file with np.save");
            }
        }
        return Tensor.of(shape, readFloats(in, shape, fileSize >= 0, name));
    }

    /** Versions 1.0 and 2.0 headers are latin-1; 3.0 allows UTF-8. */
    private static String decode(byte[] header, int major, String name) {
        if (major < 3) {
            return new String(header, StandardCharsets.ISO_8859_1);
        }
        try {
            CharBuffer chars = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(header));
            return chars.toString();
        } catch (CharacterCodingException e) {
            throw new InputFormatException(name + " has a version 3.0 header that is not valid UTF-8; the file is"
                    + " damaged: " + RESAVE, e);
        }
    }

    /**
     * Reads {@code shape.size()} little-endian floats. When the size was checked against the file
     * the array is allocated at once; for a stream it grows with the data actually received, so a
     * lying header cannot make us allocate gigabytes.
     */
    private static float[] readFloats(InputStream in, Shape shape, boolean sizeChecked, String name)
            throws IOException {
        int count = shape.size();
        float[] values = new float[sizeChecked ? count : Math.min(count, INITIAL_STREAM_ELEMENTS)];
        byte[] chunk = new byte[4 * Math.min(LittleEndianFloats.CHUNK_BYTES / 4, Math.max(1, count))];
        ByteBuffer bytes = ByteBuffer.wrap(chunk).order(ByteOrder.LITTLE_ENDIAN);
        int done = 0;
        while (done < count) {
            int want = Math.min(chunk.length / 4, count - done);
            int got = in.readNBytes(chunk, 0, want * 4);
            if (got < want * 4) {
                throw truncated(name, shape, 4L * done + got, 4L * count);
            }
            if (done + want > values.length) {
                values = Arrays.copyOf(values, (int) Math.min(count, 2L * values.length + want));
            }
            bytes.clear();
            bytes.asFloatBuffer().get(values, done, want);
            done += want;
        }
        return values;
    }

    /**
     * Writes {@code tensor} to {@code file} as a version 1.0 {@code .npy} array ({@code '<f4'}, C
     * order), replacing any existing file atomically; on failure the target is left untouched.
     *
     * @throws BacklightException if the file cannot be written (the cause is kept)
     */
    public static void write(Path file, Tensor tensor) {
        byte[] header = header(tensor.shape());
        try {
            AtomicFiles.write(file, channel -> {
                ByteBuffer head = ByteBuffer.wrap(header);
                while (head.hasRemaining()) {
                    channel.write(head);
                }
                LittleEndianFloats.write(channel, tensor.data());
            });
        } catch (IOException e) {
            throw new BacklightException("cannot write " + file + ": " + e + "; check that the directory exists"
                    + " and is writable", e);
        }
    }

    /** Magic, version, length and the dict padded with spaces and a newline to a multiple of 64. */
    static byte[] header(Shape shape) {
        byte[] dict = NpyHeader.format(shape).getBytes(StandardCharsets.ISO_8859_1);
        int major = 1;
        int prelude = MAGIC.length + 4;
        int total = alignedLength(prelude + dict.length + 1);
        if (total - prelude > 0xffff) {
            major = 2;
            prelude = MAGIC.length + 6;
            total = alignedLength(prelude + dict.length + 1);
        }
        ByteBuffer out = ByteBuffer.allocate(total).order(ByteOrder.LITTLE_ENDIAN);
        out.put(MAGIC).put((byte) major).put((byte) 0);
        if (major == 1) {
            out.putShort((short) (total - prelude));
        } else {
            out.putInt(total - prelude);
        }
        out.put(dict);
        while (out.position() < total - 1) {
            out.put((byte) ' ');
        }
        out.put((byte) '\n');
        return out.array();
    }

    private static int alignedLength(int length) {
        return (length + ALIGNMENT - 1) / ALIGNMENT * ALIGNMENT;
    }

    private static InputFormatException headerBeyondEnd(String name, long headerLength, long fileSize) {
        return new InputFormatException(name + " declares a header of " + headerLength + " bytes, which reaches"
                + " beyond the end of the file (" + fileSize + " bytes); the file is truncated or damaged: " + RESAVE);
    }

    private static InputFormatException truncated(String name, Shape shape, long have, long need) {
        return new InputFormatException(name + " is truncated: shape " + shape + " needs " + need
                + " data bytes but the file holds only " + have + "; copy or save the file again");
    }
}
