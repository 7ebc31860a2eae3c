package dev.backlight.api.io;

import dev.backlight.api.InputFormatException;
import dev.backlight.api.Shape;
import java.math.BigInteger;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.StringJoiner;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The dict at the start of a {@code .npy} file: {@code descr}, {@code fortran_order} and
 * {@code shape}. Parses it, checks that it describes a little-endian float32 C-order array that
 * Backlight can hold, and formats the header Backlight writes. Immutable.
 */
final class NpyHeader {
    /** The most elements one Java array may hold on common JVMs; {@link Shape} enforces it too. */
    static final long MAX_ELEMENTS = Integer.MAX_VALUE - 8;

    /** Dimensions a message shows before it elides the rest. */
    private static final int SHOWN_DIMS = 16;
    private static final Set<String> KEYS = Set.of("descr", "fortran_order", "shape");
    private static final Pattern SIMPLE_DESCR = Pattern.compile("([<>|=])([a-zA-Z])(\\d*)");
    private static final String RESAVE =
            "save it again with np.save(path, np.ascontiguousarray(arr, dtype=np.float32))";

    private final String name;
    private final Object descr;
    private final boolean fortranOrder;
    private final List<Object> shape;

    private NpyHeader(String name, Object descr, boolean fortranOrder, List<Object> shape) {
        this.name = name;
        this.descr = descr;
        this.fortranOrder = fortranOrder;
        this.shape = shape;
    }

    /**
     * Parses the header text of file {@code name}.
     *
     * @throws InputFormatException if it is not a dict literal with exactly the three NumPy keys of
     *     the right types
     */
    static NpyHeader parse(String text, String name) {
        Object literal;
        try {
            literal = PythonLiteral.parse(text);
        } catch (PythonLiteral.SyntaxException e) {
            throw malformed(name, text, e.getMessage(), e);
        }
        if (!(literal instanceof Map)) {
            throw malformed(name, text, "it is not a dict", null);
        }
        Map<?, ?> dict = (Map<?, ?>) literal;
        for (String key : KEYS) {
            if (!dict.containsKey(key)) {
                throw malformed(name, text, "it has no '" + key + "' entry", null);
            }
        }
        for (Object key : dict.keySet()) {
            if (!KEYS.contains(key)) {
                throw malformed(name, text, "it has an unexpected entry '" + key + "'", null);
            }
        }
        if (!(dict.get("fortran_order") instanceof Boolean)) {
            throw malformed(name, text, "'fortran_order' is not True or False", null);
        }
        if (!(dict.get("shape") instanceof PythonLiteral.Tuple)) {
            throw malformed(name, text, "'shape' is not a tuple", null);
        }
        List<Object> dims = ((PythonLiteral.Tuple) dict.get("shape")).items();
        for (Object dim : dims) {
            if (!(dim instanceof BigInteger)) {
                throw malformed(name, text, "'shape' holds " + dim + ", which is not an integer", null);
            }
        }
        return new NpyHeader(name, dict.get("descr"), (Boolean) dict.get("fortran_order"), dims);
    }

    /**
     * Checks that the header describes data Backlight reads, and returns its shape.
     *
     * @throws InputFormatException naming the dtype, order or shape problem and what to do
     */
    Shape float32Shape() {
        requireFloat32();
        if (fortranOrder) {
            throw new InputFormatException(name + " stores its array in Fortran (column-major) order; Backlight"
                    + " reads C order: " + RESAVE);
        }
        for (Object dim : shape) {
            if (((BigInteger) dim).signum() < 0) {
                throw new InputFormatException(name + " has a negative dimension in shape " + shapeText()
                        + "; the header is damaged: " + RESAVE);
            }
        }
        // Each dimension fits an int before any product is formed: a header of many huge dimensions
        // must not cost big-integer arithmetic on megabyte-long numbers.
        int[] dims = new int[shape.size()];
        boolean empty = false;
        for (int i = 0; i < dims.length; i++) {
            BigInteger d = (BigInteger) shape.get(i);
            if (d.bitLength() > 31) {
                throw new InputFormatException(name + " has shape " + shapeText() + " whose dimension " + d
                        + " overflows a Java int; drop the empty dimension or split the array");
            }
            dims[i] = d.intValue();
            empty |= dims[i] == 0;
        }
        long elements = 1;
        for (int i = 0; i < dims.length && !empty; i++) {
            elements *= dims[i]; // both factors are below 2^31 here, so the product fits a long
            if (elements > MAX_ELEMENTS) {
                throw new InputFormatException(name + " has shape " + shapeText() + " with more than " + MAX_ELEMENTS
                        + " elements: the element count overflows what one Java array holds; split the array"
                        + " into several smaller files");
            }
        }
        return Shape.of(dims);
    }

    private void requireFloat32() {
        if (!(descr instanceof String)) {
            throw new InputFormatException(name + " holds a structured (record) array with fields " + descr
                    + "; Backlight reads plain float32 arrays: save one field with np.save(path, arr['field']"
                    + ".astype(np.float32))");
        }
        String d = (String) descr;
        if (d.equals("<f4")) {
            return;
        }
        Matcher m = SIMPLE_DESCR.matcher(d);
        if (m.matches() && m.group(2).equals("O")) {
            throw new InputFormatException(name + " holds Python objects ('" + d + "'), which Backlight never"
                    + " unpickles; save a numeric array with np.save(path, arr.astype(np.float32))");
        }
        if (d.equals(">f4")) {
            throw new InputFormatException(name + " holds big-endian float32 ('>f4'); Backlight reads"
                    + " little-endian float32: save with arr.astype('<f4')");
        }
        throw new InputFormatException(name + " holds " + describe(m, d) + " ('" + d + "'); Backlight reads"
                + " float32: save with arr.astype(np.float32)");
    }

    private static String describe(Matcher m, String descr) {
        if (!m.matches()) {
            return "an unrecognised dtype";
        }
        boolean absurdWidth = m.group(3).length() > 3; // no NumPy number is a thousand bytes wide
        if (absurdWidth && "fiuc".contains(m.group(2))) {
            return "an unrecognised dtype";
        }
        String bits = m.group(3).isEmpty() || absurdWidth ? "" : String.valueOf(Integer.parseInt(m.group(3)) * 8);
        String order = m.group(1).equals(">") ? "big-endian " : "";
        switch (m.group(2)) {
            case "f": return order + "float" + bits;
            case "i": return order + "int" + bits;
            case "u": return order + "uint" + bits;
            case "c": return order + "complex" + bits;
            case "b": return "bool";
            case "U": return "unicode strings";
            case "S": return "byte strings";
            case "V": return "raw bytes (void)";
            case "M": return "datetime64 values";
            case "m": return "timedelta64 values";
            default: return "an unrecognised dtype";
        }
    }

    /** The shape as NumPy prints it, cut after {@link #SHOWN_DIMS} dimensions. */
    private String shapeText() {
        StringJoiner joined = new StringJoiner(", ", "(", shape.size() == 1 ? ",)" : ")");
        shape.stream().limit(SHOWN_DIMS).forEach(d -> joined.add(d.toString()));
        if (shape.size() > SHOWN_DIMS) {
            joined.add("... " + (shape.size() - SHOWN_DIMS) + " more");
        }
        return joined.toString();
    }

    /**
     * The dict Backlight writes for a float32 C-order array, exactly as NumPy formats it, without
     * the padding and newline.
     */
    static String format(Shape shape) {
        StringJoiner tuple = new StringJoiner(", ", "(", shape.rank() == 1 ? ",)" : ")");
        for (int d : shape.dims()) {
            tuple.add(Integer.toString(d));
        }
        return "{'descr': '<f4', 'fortran_order': False, 'shape': " + tuple + ", }";
    }

    private static InputFormatException malformed(String name, String text, String problem, Throwable cause) {
        String excerpt = text.length() > 120 ? text.substring(0, 120) + "..." : text.strip();
        return new InputFormatException(name + " has a header that does not parse as a NumPy header dict ("
                + problem + "): \"" + excerpt + "\"; the file is damaged or not written by NumPy: " + RESAVE, cause);
    }
}
