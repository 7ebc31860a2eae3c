package dev.backlight.api.io;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Parses the small subset of Python literal syntax that NumPy writes in {@code .npy} headers, by
 * hand and without evaluating anything.
 *
 * <p>Grammar: a value is a string in single or double quotes without escapes, a decimal integer
 * of at most {@value #MAX_DIGITS} digits (optionally negative, optionally with Python 2's
 * {@code L} suffix), {@code True}, {@code False},
 * a tuple {@code (..)}, a list {@code [..]} or a dict {@code {'key': value, ..}} with string keys;
 * trailing commas are allowed and {@code (x)} without a comma is {@code x}, as in Python.
 *
 * <p>Values come back as {@link String}, {@link BigInteger}, {@link Boolean}, {@link Tuple},
 * {@code List<Object>} and {@code Map<String, Object>} (insertion order). Instances are single-use
 * and not thread-safe.
 */
final class PythonLiteral {
    private static final int MAX_DEPTH = 32;
    /**
     * Longest integer accepted. NumPy writes at most 19 digits (a 64-bit dimension); the cap keeps
     * a header of megabyte-long numbers from costing quadratic big-integer parsing.
     */
    static final int MAX_DIGITS = 40;

    /** A Python tuple; kept apart from lists because NumPy's shape must be a tuple. */
    record Tuple(List<Object> items) {}

    /** The text is not a literal of the supported grammar; the message says where and why. */
    static final class SyntaxException extends Exception {
        private static final long serialVersionUID = 1L;

        SyntaxException(String message) {
            super(message);
        }
    }

    private final String text;
    private int pos;

    private PythonLiteral(String text) {
        this.text = text;
    }

    /** Parses {@code text} as one literal, allowing surrounding whitespace and nothing else. */
    static Object parse(String text) throws SyntaxException {
        PythonLiteral parser = new PythonLiteral(text);
        Object value = parser.value(0);
        parser.skipWhitespace();
        if (parser.pos != text.length()) {
            throw parser.error("unexpected text after the end of the literal");
        }
        return value;
    }

    private Object value(int depth) throws SyntaxException {
        if (depth > MAX_DEPTH) {
            throw error("nesting deeper than " + MAX_DEPTH + " levels");
        }
        skipWhitespace();
        if (pos == text.length()) {
            throw error("the text ends where a value should start");
        }
        char c = text.charAt(pos);
        if (c == '\'' || c == '"') {
            return string();
        } else if (c == '-' || isDigit(c)) {
            return integer();
        } else if (c == '(') {
            pos++;
            List<Object> items = new ArrayList<>();
            boolean sawComma = sequence(')', items, depth);
            return items.size() == 1 && !sawComma ? items.get(0) : new Tuple(Collections.unmodifiableList(items));
        } else if (c == '[') {
            pos++;
            List<Object> items = new ArrayList<>();
            sequence(']', items, depth);
            return Collections.unmodifiableList(items);
        } else if (c == '{') {
            return dict(depth);
        } else if (text.startsWith("True", pos)) {
            pos += 4;
            return Boolean.TRUE;
        } else if (text.startsWith("False", pos)) {
            pos += 5;
            return Boolean.FALSE;
        }
        throw error("unexpected character '" + c + "'");
    }

    /** Reads comma-separated values up to {@code close}; returns whether any comma was seen. */
    private boolean sequence(char close, List<Object> items, int depth) throws SyntaxException {
        boolean sawComma = false;
        while (true) {
            skipWhitespace();
            if (peek() == close) {
                pos++;
                return sawComma;
            }
            items.add(value(depth + 1));
            skipWhitespace();
            if (peek() == ',') {
                pos++;
                sawComma = true;
            } else if (peek() != close) {
                throw error("expected ',' or '" + close + "'");
            }
        }
    }

    private Map<String, Object> dict(int depth) throws SyntaxException {
        pos++;
        Map<String, Object> entries = new LinkedHashMap<>();
        while (true) {
            skipWhitespace();
            if (peek() == '}') {
                pos++;
                return Collections.unmodifiableMap(entries);
            }
            if (peek() != '\'' && peek() != '"') {
                throw error("expected a quoted key or '}'");
            }
            int keyStart = pos;
            String key = string();
            skipWhitespace();
            if (peek() != ':') {
                throw error("expected ':' after key '" + key + "'");
            }
            pos++;
            if (entries.put(key, value(depth + 1)) != null) {
                pos = keyStart;
                throw error("key '" + key + "' appears twice");
            }
            skipWhitespace();
            if (peek() == ',') {
                pos++;
            } else if (peek() != '}') {
                throw error("expected ',' or '}'");
            }
        }
    }

    private String string() throws SyntaxException {
        char quote = text.charAt(pos);
        int start = pos + 1;
        for (int i = start; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == quote) {
                pos = i + 1;
                return text.substring(start, i);
            } else if (c == '\\' || c == '\n' || c == '\r') {
                pos = i;
                throw error(c == '\\' ? "escape sequences in strings are not supported" : "line break inside a string");
            }
        }
        throw error("unterminated string");
    }

    private BigInteger integer() throws SyntaxException {
        int start = pos;
        if (peek() == '-') {
            pos++;
        }
        int digits = pos;
        while (pos < text.length() && isDigit(text.charAt(pos))) {
            pos++;
        }
        if (pos == digits) {
            throw error("expected digits after '-'");
        }
        if (pos - digits > MAX_DIGITS) {
            int length = pos - digits;
            pos = digits;
            throw error("an integer of " + length + " digits, longer than the " + MAX_DIGITS + " accepted");
        }
        BigInteger value = new BigInteger(text.substring(start, pos));
        if (peek() == 'L' || peek() == 'l') {
            pos++;
        }
        return value;
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    private char peek() {
        return pos < text.length() ? text.charAt(pos) : '\0';
    }

    private void skipWhitespace() {
        while (pos < text.length() && " \t\r\n".indexOf(text.charAt(pos)) >= 0) {
            pos++;
        }
    }

    private SyntaxException error(String problem) {
        return new SyntaxException(problem + " at character " + pos);
    }
}
