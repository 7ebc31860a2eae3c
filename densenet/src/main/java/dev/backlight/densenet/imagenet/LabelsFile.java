package dev.backlight.densenet.imagenet;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Class names read from a file, in one of three forms: one label a line (torchvision's
 * {@code imagenet_classes.txt}; a final newline is optional, {@code \r\n} is accepted), a JSON list
 * of strings, or a JSON object from index to label ({@code {"0": "cat", "1": "dog"}}, also with
 * Keras' {@code imagenet_class_index.json} values {@code ["n01440764", "tench"]}, whose last string
 * is the label). The file is untrusted: its size, the number and length of labels are bounded, and
 * labels may not be empty or hold control characters (they end up in terminals, JSON and pictures).
 * Immutable and safe to share between threads.
 */
final class LabelsFile implements ClassLabels {
    static final long MAX_FILE_BYTES = 16L << 20;
    static final int MAX_LABELS = 1_000_000;
    static final int MAX_LABEL_CHARS = 1000;
    private static final JsonFactory JSON = new JsonFactory();

    private final List<String> names;
    private final String source;

    private LabelsFile(List<String> names, String source) {
        this.names = List.copyOf(names);
        this.source = source;
    }

    static LabelsFile read(Path file) {
        String source = file.toString();
        byte[] bytes;
        try {
            if (Files.size(file) > MAX_FILE_BYTES) {
                throw new LabelsFormatException("labels file " + source + " has " + Files.size(file)
                        + " bytes, more than the " + MAX_FILE_BYTES + " a list of class names needs; is it the right file?");
            }
            bytes = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new LabelsFormatException("cannot read labels file " + source + ": " + e
                    + "; check the path and permissions", e);
        }
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw new LabelsFormatException("labels file " + source + " is not UTF-8 text; save it as UTF-8", e);
        }
        if (text.startsWith("\uFEFF")) {
            text = text.substring(1);
        }
        String trimmed = text.strip();
        List<String> names = trimmed.startsWith("[") || trimmed.startsWith("{") ? json(trimmed, source) : lines(text, source);
        if (names.isEmpty()) {
            throw new LabelsFormatException("labels file " + source + " names no classes; give one label a line,"
                    + " a JSON list, or a JSON object from index to label");
        }
        return new LabelsFile(names, source);
    }

    private static List<String> lines(String text, String source) {
        String[] lines = text.split("\n", -1);
        int count = lines.length;
        if (count > 0 && lines[count - 1].isEmpty()) {
            count--; // the final newline
        }
        if (count > MAX_LABELS) {
            throw tooMany(source);
        }
        List<String> names = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            String line = lines[i].endsWith("\r") ? lines[i].substring(0, lines[i].length() - 1) : lines[i];
            names.add(checked(line.strip(), source, "line " + (i + 1)));
        }
        return names;
    }

    private static List<String> json(String text, String source) {
        try (JsonParser p = JSON.createParser(text)) {
            JsonToken first = p.nextToken();
            List<String> names = first == JsonToken.START_ARRAY ? jsonList(p, source) : jsonMap(p, source);
            if (p.nextToken() != null) {
                throw new LabelsFormatException("labels file " + source + " has more after its JSON "
                        + (first == JsonToken.START_ARRAY ? "list" : "object"));
            }
            return names;
        } catch (JsonProcessingException e) {
            throw new LabelsFormatException("labels file " + source + " is not valid JSON (" + e.getOriginalMessage()
                    + " at line " + e.getLocation().getLineNr() + "); fix it, or give one label a line", e);
        } catch (IOException e) {
            throw new LabelsFormatException("cannot parse labels file " + source + ": " + e, e);
        }
    }

    private static List<String> jsonList(JsonParser p, String source) throws IOException {
        List<String> names = new ArrayList<>();
        for (JsonToken t = p.nextToken(); t != JsonToken.END_ARRAY; t = p.nextToken()) {
            if (t != JsonToken.VALUE_STRING) {
                throw new LabelsFormatException("labels file " + source + " has a " + t + " at position "
                        + names.size() + " of its list, where a label (a string) belongs");
            }
            if (names.size() == MAX_LABELS) {
                throw tooMany(source);
            }
            names.add(checked(p.getText().strip(), source, "position " + names.size()));
        }
        return names;
    }

    private static List<String> jsonMap(JsonParser p, String source) throws IOException {
        List<String> byIndex = new ArrayList<>();
        for (JsonToken t = p.nextToken(); t != JsonToken.END_OBJECT; t = p.nextToken()) {
            String key = p.currentName();
            int index = index(key, source);
            JsonToken value = p.nextToken();
            String label;
            if (value == JsonToken.VALUE_STRING) {
                label = p.getText();
            } else if (value == JsonToken.START_ARRAY) {
                // Keras' imagenet_class_index.json: "0": ["n01440764", "tench"]
                label = null;
                for (JsonToken item = p.nextToken(); item != JsonToken.END_ARRAY; item = p.nextToken()) {
                    if (item != JsonToken.VALUE_STRING) {
                        throw new LabelsFormatException("labels file " + source + " gives index " + key
                                + " a list holding a " + item + "; Keras' class index lists strings");
                    }
                    label = p.getText();
                }
                if (label == null) {
                    throw new LabelsFormatException("labels file " + source + " gives index " + key + " an empty list");
                }
            } else {
                throw new LabelsFormatException("labels file " + source + " gives index " + key + " a " + value
                        + " where a label (a string) belongs");
            }
            while (byIndex.size() <= index) {
                byIndex.add(null);
            }
            if (byIndex.get(index) != null) {
                throw new LabelsFormatException("labels file " + source + " names index " + index + " twice");
            }
            byIndex.set(index, checked(label.strip(), source, "index " + index));
        }
        int missing = byIndex.indexOf(null);
        if (missing >= 0) {
            throw new LabelsFormatException("labels file " + source + " names indices up to " + (byIndex.size() - 1)
                    + " but not " + missing + "; give every class from 0 to the last a label");
        }
        return byIndex;
    }

    private static int index(String key, String source) {
        if (key == null || !key.matches("0|[1-9][0-9]{0,6}") || Integer.parseInt(key) >= MAX_LABELS) {
            throw new LabelsFormatException("labels file " + source + " has the key \"" + printable(key)
                    + "\" where a class index (0, 1, 2, ...) belongs");
        }
        return Integer.parseInt(key);
    }

    private static String checked(String label, String source, String where) {
        if (label.isEmpty()) {
            throw new LabelsFormatException("labels file " + source + " has an empty label at " + where
                    + "; every class needs a name (remove blank lines)");
        }
        if (label.length() > MAX_LABEL_CHARS) {
            throw new LabelsFormatException("labels file " + source + " has a label of " + label.length()
                    + " characters at " + where + ", more than " + MAX_LABEL_CHARS);
        }
        for (int i = 0; i < label.length(); i++) {
            char c = label.charAt(i);
            if (Character.isISOControl(c) || c == '\u2028' || c == '\u2029') {
                throw new LabelsFormatException("labels file " + source + " has a control character (U+"
                        + String.format("%04X", (int) c) + ") in the label at " + where + "; labels are plain text");
            }
        }
        return label;
    }

    private static String printable(String s) {
        if (s == null) {
            return "";
        }
        String cut = s.length() > 40 ? s.substring(0, 40) + "..." : s;
        return cut.codePoints().map(c -> Character.isISOControl(c) ? '?' : c)
                .collect(StringBuilder::new, StringBuilder::appendCodePoint, StringBuilder::append).toString();
    }

    private static LabelsFormatException tooMany(String source) {
        return new LabelsFormatException("labels file " + source + " has more than " + MAX_LABELS + " labels");
    }

    /** Where the labels came from. */
    String source() {
        return source;
    }

    @Override
    public int size() {
        return names.size();
    }

    @Override
    public String name(int index) {
        if (index < 0 || index >= names.size()) {
            throw new IllegalArgumentException("class index " + index + " is outside [0, " + (names.size() - 1)
                    + "] of labels file " + source);
        }
        return names.get(index);
    }

    @Override
    public String toString() {
        return "labels " + source + " (" + names.size() + ")" + (names.size() <= 3 ? " " + Arrays.toString(names.toArray()) : "");
    }
}
