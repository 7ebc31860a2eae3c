package dev.backlight.densenet.weights;

import java.math.BigInteger;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The values {@link RestrictedUnpickler} builds. Python's {@code None}, {@code bool}, {@code int},
 * {@code float} and {@code str} become {@code null}, {@link Boolean}, {@link Long} (or
 * {@link BigInteger} beyond 64 bits), {@link Double} and {@link String}; a {@code list} becomes a
 * {@link java.util.ArrayList}; the other kinds are the types below. None of them runs code, and
 * none is ever hashed or printed whole: pickles can make containers that hold themselves.
 */
final class Pickled {
    private Pickled() {}

    /** A Python tuple; its items may be {@code null}. */
    static final class Tuple {
        private final List<Object> items;

        Tuple(Object... items) {
            this.items = Collections.unmodifiableList(Arrays.asList(items));
        }

        List<Object> items() {
            return items;
        }

        int size() {
            return items.size();
        }

        Object get(int i) {
            return items.get(i);
        }
    }

    /**
     * A Python {@code dict} or {@code collections.OrderedDict}, in insertion order. Keys are
     * scalars only (strings, numbers, booleans, None), so that hashing them costs nothing.
     */
    static final class Dict {
        private final Map<Object, Object> entries = new LinkedHashMap<>();
        private final boolean ordered;

        Dict(boolean ordered) {
            this.ordered = ordered;
        }

        Map<Object, Object> entries() {
            return entries;
        }

        boolean ordered() {
            return ordered;
        }
    }

    /** An empty Python {@code set} (the allowed opcodes cannot fill one). */
    enum EmptySet { INSTANCE }

    /**
     * A storage a persistent id names: {@code numel} elements of {@code type} starting at element
     * {@code offset} of the root storage {@code key}, which holds {@code rootNumel} elements
     * ({@code offset} is 0 and {@code numel == rootNumel} except for the views of legacy files).
     */
    record Storage(TorchStorageType type, String key, long rootNumel, long offset, long numel) {}

    /**
     * A tensor: {@code size} elements laid out from element {@code offset} of its storage with
     * {@code stride}; already checked to lie inside the storage.
     */
    record TensorRef(Storage storage, long offset, long[] size, long[] stride) {
        /** The number of elements. */
        long numel() {
            long n = 1;
            for (long d : size) {
                n *= d;
            }
            return n;
        }

        /** Whether the elements are stored one after another in row-major order. */
        boolean contiguous() {
            long expected = 1;
            for (int i = size.length - 1; i >= 0; i--) {
                if (size[i] != 1 && stride[i] != expected) {
                    return false;
                }
                expected *= size[i];
            }
            return true;
        }
    }

    /** A short description of a value's type for messages, never its contents. */
    static String typeName(Object value) {
        if (value == null) {
            return "None";
        } else if (value instanceof Boolean) {
            return "bool";
        } else if (value instanceof Long || value instanceof BigInteger) {
            return "int";
        } else if (value instanceof Double) {
            return "float";
        } else if (value instanceof String) {
            return "str";
        } else if (value instanceof Tuple) {
            return "tuple";
        } else if (value instanceof List) {
            return "list";
        } else if (value instanceof Dict) {
            return ((Dict) value).ordered ? "OrderedDict" : "dict";
        } else if (value instanceof EmptySet) {
            return "set";
        } else if (value instanceof Storage) {
            return "storage";
        } else if (value instanceof TensorRef) {
            return "tensor";
        } else if (value instanceof PickleGlobal) {
            return "global " + value;
        }
        return value.getClass().getSimpleName();
    }
}
