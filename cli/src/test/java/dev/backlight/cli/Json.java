package dev.backlight.cli;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Reads values out of the JSON reports with jackson-core's streaming parser. */
public final class Json {
    private static final JsonFactory FACTORY = new JsonFactory();

    private Json() {
    }

    /** The value of a top-level string field, or null if the report has none. */
    public static String string(Path file, String field) {
        try (JsonParser p = FACTORY.createParser(file.toFile())) {
            expect(p.nextToken(), JsonToken.START_OBJECT);
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                JsonToken value = p.nextToken();
                if (name.equals(field) && value == JsonToken.VALUE_STRING) {
                    return p.getText();
                }
                p.skipChildren();
            }
            return null;
        } catch (IOException e) {
            throw new AssertionError("cannot parse " + file, e);
        }
    }

    /**
     * The values of the integer field {@code field} of the objects in every array named {@code
     * array}, anywhere in the document, in order.
     */
    public static List<Integer> ints(Path file, String array, String field) {
        List<Integer> values = new ArrayList<>();
        try (JsonParser p = FACTORY.createParser(file.toFile())) {
            for (JsonToken t = p.nextToken(); t != null; t = p.nextToken()) {
                if (t == JsonToken.START_ARRAY && array.equals(p.currentName())) {
                    collect(p, field, values);
                }
            }
        } catch (IOException e) {
            throw new AssertionError("cannot parse " + file, e);
        }
        return values;
    }

    /**
     * The values of the string field {@code field} of the objects in every array named {@code
     * array}, anywhere in the document, in order.
     */
    public static List<String> strings(Path file, String array, String field) {
        List<String> values = new ArrayList<>();
        try (JsonParser p = FACTORY.createParser(file.toFile())) {
            for (JsonToken t = p.nextToken(); t != null; t = p.nextToken()) {
                if (t == JsonToken.START_ARRAY && array.equals(p.currentName())) {
                    for (JsonToken e = p.nextToken(); e != JsonToken.END_ARRAY; e = p.nextToken()) {
                        expect(e, JsonToken.START_OBJECT);
                        while (p.nextToken() == JsonToken.FIELD_NAME) {
                            String name = p.currentName();
                            JsonToken value = p.nextToken();
                            if (name.equals(field) && value == JsonToken.VALUE_STRING) {
                                values.add(p.getText());
                            }
                            p.skipChildren();
                        }
                    }
                }
            }
        } catch (IOException e) {
            throw new AssertionError("cannot parse " + file, e);
        }
        return values;
    }

    /** Reads an array of objects up to its end, collecting {@code field} of each. */
    private static void collect(JsonParser p, String field, List<Integer> values) throws IOException {
        for (JsonToken t = p.nextToken(); t != JsonToken.END_ARRAY; t = p.nextToken()) {
            expect(t, JsonToken.START_OBJECT);
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                JsonToken value = p.nextToken();
                if (name.equals(field) && value == JsonToken.VALUE_NUMBER_INT) {
                    values.add(p.getIntValue());
                }
                p.skipChildren();
            }
        }
    }

    private static void expect(JsonToken got, JsonToken wanted) {
        if (got != wanted) {
            throw new AssertionError("expected " + wanted + " but found " + got);
        }
    }
}
