package dev.backlight.densenet.weights;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import dev.backlight.api.WeightsFormatException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The JSON header of a safetensors file, read with Jackson's streaming parser: each tensor's
 * dtype, shape and byte range, checked against each other and against the data region so that
 * nothing is allocated from an unchecked size. {@code __metadata__} is checked (string to string)
 * and dropped. Single-use; not thread-safe.
 */
final class SafetensorsHeader {
    static final String METADATA = "__metadata__";
    /** Shared; Jackson factories are thread-safe once configured. */
    static final JsonFactory JSON = new JsonFactory();

    private static final String REEXPORT = "the file is damaged or was not written by a safetensors library:"
            + " export the weights again with safetensors.torch.save_file";

    /** One tensor as the header describes it; offsets are relative to the data region. */
    record Entry(String name, String dtypeName, SafetensorsDtype dtype, long[] shape, long begin, long end) {
        /** BatchNorm's step counter: not a weight, so it is skipped whatever its dtype. */
        boolean ignored() {
            return name.endsWith("num_batches_tracked");
        }

        /** The element count; valid once the entry has been checked. */
        long elements() {
            return (end - begin) / dtype.bytes();
        }
    }

    private final String file;
    private final JsonParser parser;

    private SafetensorsHeader(String file, JsonParser parser) {
        this.file = file;
        this.parser = parser;
    }

    /**
     * Parses and checks the header of {@code file}.
     *
     * @param dataLength bytes in the data region after the header
     * @return the tensors in header order, each with a known dtype unless ignored, a byte length
     *     that matches its shape, and a range inside the data region that overlaps no other
     * @throws WeightsFormatException naming the file, the tensor and the problem
     */
    static List<Entry> parse(byte[] json, long dataLength, String file) {
        List<Entry> entries;
        // Decoded here, strictly: given bytes, Jackson would guess UTF-16 or UTF-32 from the first ones.
        try (JsonParser parser = JSON.createParser(utf8(json, file))) {
            entries = new SafetensorsHeader(file, parser).entries();
        } catch (JsonProcessingException e) {
            String where = e.getLocation() == null ? "" : " at character " + e.getLocation().getCharOffset();
            throw new WeightsFormatException(file + " has a header that is not valid JSON (" + e.getOriginalMessage()
                    + where + "); " + REEXPORT, e);
        } catch (IOException e) {
            // Parsing characters from memory has no other failure; kept typed in case a Jackson version adds one.
            throw new WeightsFormatException(file + " has a header that cannot be parsed (" + e + "); " + REEXPORT, e);
        }
        for (Entry entry : entries) {
            check(entry, dataLength, file);
        }
        checkNoOverlap(entries, file);
        return entries;
    }

    /** The header as text; the safetensors format makes it UTF-8. */
    private static char[] utf8(byte[] json, String file) {
        try {
            CharBuffer chars = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(json));
            char[] text = new char[chars.remaining()];
            chars.get(text);
            return text;
        } catch (CharacterCodingException e) {
            throw new WeightsFormatException(file + " has a header that is not valid UTF-8 text; " + REEXPORT, e);
        }
    }

    private List<Entry> entries() throws IOException {
        if (parser.nextToken() != JsonToken.START_OBJECT) {
            throw problem("has a header that is not a JSON object");
        }
        Set<String> names = new HashSet<>();
        List<Entry> entries = new ArrayList<>();
        while (parser.nextToken() == JsonToken.FIELD_NAME) {
            String name = parser.currentName();
            if (!names.add(name)) {
                throw problem("names tensor '" + name + "' twice in its header");
            }
            parser.nextToken();
            if (name.equals(METADATA)) {
                checkMetadata();
            } else {
                entries.add(entry(name));
            }
        }
        if (parser.nextToken() != null) {
            throw problem("has text after the end of its JSON header");
        }
        return entries;
    }

    private void checkMetadata() throws IOException {
        if (parser.currentToken() != JsonToken.START_OBJECT) {
            throw problem("has a " + METADATA + " entry that is not an object of strings");
        }
        Set<String> keys = new HashSet<>();
        while (parser.nextToken() == JsonToken.FIELD_NAME) {
            String key = parser.currentName();
            if (parser.nextToken() != JsonToken.VALUE_STRING || !keys.add(key)) {
                throw problem("has a " + METADATA + " entry '" + key + "' that is not a single string value");
            }
        }
    }

    private Entry entry(String name) throws IOException {
        if (parser.currentToken() != JsonToken.START_OBJECT) {
            throw problem("describes tensor '" + name + "' with " + parser.currentToken() + " instead of an object");
        }
        String dtype = null;
        long[] shape = null;
        long[] offsets = null;
        while (parser.nextToken() == JsonToken.FIELD_NAME) {
            String field = parser.currentName();
            JsonToken value = parser.nextToken();
            if (field.equals("dtype") && dtype == null) {
                if (value != JsonToken.VALUE_STRING) {
                    throw problem("gives tensor '" + name + "' a dtype that is not a string");
                }
                dtype = parser.getText();
            } else if (field.equals("shape") && shape == null) {
                shape = integers(name, field);
            } else if (field.equals("data_offsets") && offsets == null) {
                offsets = integers(name, field);
                if (offsets.length != 2) {
                    throw problem("gives tensor '" + name + "' " + offsets.length
                            + " data_offsets instead of [begin, end]");
                }
            } else if (field.equals("dtype") || field.equals("shape") || field.equals("data_offsets")) {
                throw problem("gives tensor '" + name + "' two '" + field + "' fields");
            } else {
                parser.skipChildren(); // unknown fields are allowed for forward compatibility
            }
        }
        String missing = dtype == null ? "dtype" : shape == null ? "shape" : offsets == null ? "data_offsets" : null;
        if (missing != null) {
            throw problem("gives tensor '" + name + "' no '" + missing + "' field");
        }
        return new Entry(name, dtype, SafetensorsDtype.byName(dtype), shape, offsets[0], offsets[1]);
    }

    /** A JSON array of non-negative integers that fit a long. */
    private long[] integers(String name, String field) throws IOException {
        if (parser.currentToken() != JsonToken.START_ARRAY) {
            throw problem("gives tensor '" + name + "' a '" + field + "' that is not an array of integers");
        }
        long[] values = new long[4];
        int count = 0;
        for (JsonToken t = parser.nextToken(); t != JsonToken.END_ARRAY; t = parser.nextToken()) {
            if (t != JsonToken.VALUE_NUMBER_INT) {
                throw problem("gives tensor '" + name + "' a '" + field + "' that is not an array of integers");
            }
            if (parser.getNumberType() == JsonParser.NumberType.BIG_INTEGER) {
                throw problem("gives tensor '" + name + "' a '" + field + "' value " + parser.getText()
                        + " that overflows a 64-bit integer");
            }
            long value = parser.getLongValue();
            if (value < 0) {
                throw problem("gives tensor '" + name + "' a negative '" + field + "' value " + value);
            }
            if (count == values.length) {
                values = Arrays.copyOf(values, 2 * count);
            }
            values[count++] = value;
        }
        return Arrays.copyOf(values, count);
    }

    private static void check(Entry e, long dataLength, String file) {
        String tensor = "tensor '" + e.name() + "'";
        long elements = 1;
        for (long d : e.shape()) {
            try {
                elements = Math.multiplyExact(elements, d);
            } catch (ArithmeticException overflow) {
                throw problem(file, "gives " + tensor + " shape " + Arrays.toString(e.shape())
                        + " whose element count overflows a 64-bit integer");
            }
        }
        if (e.begin() > e.end()) {
            throw problem(file, "gives " + tensor + " data_offsets [" + e.begin() + ", " + e.end()
                    + "] whose begin lies after its end");
        }
        if (e.end() > dataLength) {
            throw problem(file, "gives " + tensor + " data_offsets [" + e.begin() + ", " + e.end()
                    + "] out of the data region of " + dataLength + " bytes (is the file truncated?)");
        }
        if (e.dtype() == null) {
            if (e.ignored()) {
                return;
            }
            throw problem(file, "gives " + tensor + " unknown dtype '" + e.dtypeName() + "'");
        }
        long bytes;
        try {
            bytes = Math.multiplyExact(elements, e.dtype().bytes());
        } catch (ArithmeticException overflow) {
            bytes = -1;
        }
        if (bytes != e.end() - e.begin()) {
            throw problem(file, "gives " + tensor + " " + (e.end() - e.begin()) + " bytes but its shape "
                    + Arrays.toString(e.shape()) + " of " + e.dtypeName() + " needs "
                    + (bytes < 0 ? "more than 2^63" : String.valueOf(bytes)));
        }
    }

    private static void checkNoOverlap(List<Entry> entries, String file) {
        List<Entry> byBegin = new ArrayList<>();
        for (Entry e : entries) {
            if (e.end() > e.begin()) {
                byBegin.add(e);
            }
        }
        byBegin.sort((a, b) -> Long.compare(a.begin(), b.begin()));
        Entry reach = null; // the entry ending furthest so far
        for (Entry e : byBegin) {
            if (reach != null && e.begin() < reach.end()) {
                throw problem(file, "has overlapping tensors '" + reach.name() + "' [" + reach.begin() + ", "
                        + reach.end() + ") and '" + e.name() + "' [" + e.begin() + ", " + e.end() + ")");
            }
            if (reach == null || e.end() > reach.end()) {
                reach = e;
            }
        }
    }

    private WeightsFormatException problem(String what) {
        return problem(file, what);
    }

    static WeightsFormatException problem(String file, String what) {
        return new WeightsFormatException(file + " " + what + "; " + REEXPORT);
    }
}
