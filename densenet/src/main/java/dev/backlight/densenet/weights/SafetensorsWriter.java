package dev.backlight.densenet.weights;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonGenerator;
import dev.backlight.api.BacklightException;
import dev.backlight.api.Tensor;
import dev.backlight.api.internal.io.AtomicFiles;
import dev.backlight.api.internal.io.LittleEndianFloats;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.Objects;

/**
 * Writes float32 tensors as a safetensors file: dtype {@code F32}, the JSON header padded with
 * spaces to a multiple of 8 bytes, tensors laid out back to back in the map's iteration order.
 * The target is replaced atomically; a failed write leaves it untouched.
 *
 * <p>Stateless and thread-safe, provided no one modifies the tensors while they are written.
 */
public final class SafetensorsWriter {
    private static final int ALIGNMENT = 8;

    private SafetensorsWriter() {}

    /**
     * Writes {@code tensors} and {@code metadata} to {@code file}.
     *
     * @param tensors name → tensor, written in iteration order; names must not be
     *     {@code __metadata__}
     * @param metadata free-form strings stored as {@code __metadata__}, or null or empty for none
     * @throws IllegalArgumentException if a name is reserved or the header would exceed what
     *     {@link SafetensorsReader} accepts
     * @throws BacklightException if the file cannot be written (the cause is kept)
     */
    public static void write(Path file, Map<String, Tensor> tensors, Map<String, String> metadata) {
        byte[] header = header(tensors, metadata == null ? Map.of() : metadata);
        try {
            AtomicFiles.write(file, channel -> {
                writeFully(channel, ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(0, header.length));
                writeFully(channel, ByteBuffer.wrap(header));
                for (Tensor tensor : tensors.values()) {
                    LittleEndianFloats.write(channel, tensor.data());
                }
            });
        } catch (IOException e) {
            throw new BacklightException("cannot write " + file + ": " + e + "; check that the directory exists"
                    + " and is writable", e);
        }
    }

    /** The JSON header, padded with spaces to a multiple of 8 bytes. */
    static byte[] header(Map<String, Tensor> tensors, Map<String, String> metadata) {
        ByteArrayOutputStream json = new ByteArrayOutputStream();
        try (JsonGenerator out = SafetensorsHeader.JSON.createGenerator(json, JsonEncoding.UTF8)) {
            out.writeStartObject();
            if (!metadata.isEmpty()) {
                out.writeObjectFieldStart(SafetensorsHeader.METADATA);
                for (Map.Entry<String, String> m : metadata.entrySet()) {
                    out.writeStringField(Objects.requireNonNull(m.getKey(), "metadata key"),
                            Objects.requireNonNull(m.getValue(), "metadata value"));
                }
                out.writeEndObject();
            }
            long offset = 0;
            for (Map.Entry<String, Tensor> t : tensors.entrySet()) {
                String name = Objects.requireNonNull(t.getKey(), "tensor name");
                Tensor tensor = Objects.requireNonNull(t.getValue(), () -> "tensor '" + name + "'");
                if (name.equals(SafetensorsHeader.METADATA)) {
                    throw new IllegalArgumentException("a tensor may not be called " + name);
                }
                out.writeObjectFieldStart(name);
                out.writeStringField("dtype", "F32");
                out.writeFieldName("shape");
                int[] dims = tensor.shape().dims();
                out.writeArray(dims, 0, dims.length);
                out.writeFieldName("data_offsets");
                long end = offset + 4L * tensor.size();
                out.writeArray(new long[] {offset, end}, 0, 2);
                out.writeEndObject();
                offset = end;
            }
            out.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException("writing JSON to memory cannot fail", e);
        }
        int padded = (json.size() + ALIGNMENT - 1) / ALIGNMENT * ALIGNMENT;
        if (padded > SafetensorsReader.MAX_HEADER_BYTES) {
            throw new IllegalArgumentException("the safetensors header would take " + padded + " bytes, more than"
                    + " the " + SafetensorsReader.MAX_HEADER_BYTES + " readers accept; use fewer or shorter names");
        }
        byte[] header = Arrays.copyOf(json.toByteArray(), padded);
        Arrays.fill(header, json.size(), padded, (byte) ' ');
        return header;
    }

    private static void writeFully(FileChannel channel, ByteBuffer bytes) throws IOException {
        while (bytes.hasRemaining()) {
            channel.write(bytes);
        }
    }
}
