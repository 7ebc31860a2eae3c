package dev.backlight.api;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * Named float32 parameter tensors, as a model's state dict: {@code features.conv0.weight} → tensor.
 *
 * <p>Instances are immutable after construction and safe to share between threads and compiled
 * models. Backends copy what they need at compile time.
 */
public final class Weights {
    private final Map<String, Tensor> tensors;
    private final String source;

    private Weights(Map<String, Tensor> tensors, String source) {
        this.tensors = tensors;
        this.source = source;
    }

    /**
     * Wraps a map of named tensors (the map is copied; the tensors are not).
     *
     * @param source where they came from, for error messages (a file path, "random:42", ...)
     */
    public static Weights of(Map<String, Tensor> tensors, String source) {
        return new Weights(Collections.unmodifiableMap(new LinkedHashMap<>(tensors)), source);
    }

    /** Where these weights came from, for messages. */
    public String source() {
        return source;
    }

    /** The tensor names, in file order. */
    public Set<String> names() {
        return tensors.keySet();
    }

    /** Whether a tensor of this name exists. */
    public boolean contains(String name) {
        return tensors.containsKey(name);
    }

    /**
     * The tensor of this name, checked against the shape the model expects.
     *
     * @throws WeightsFormatException if it is missing or its shape differs
     */
    public Tensor get(String name, Shape expected) {
        Tensor t = tensors.get(name);
        if (t == null) {
            throw new WeightsFormatException("weights " + source + " have no tensor '" + name
                    + "' (expected shape " + expected + "); is this a checkpoint for the same architecture?");
        }
        if (!t.shape().equals(expected)) {
            throw new WeightsFormatException("tensor '" + name + "' in weights " + source + " has shape "
                    + t.shape() + " but the model needs " + expected);
        }
        return t;
    }

    /** All tensors, unmodifiable, in file order. */
    public Map<String, Tensor> asMap() {
        return tensors;
    }
}
