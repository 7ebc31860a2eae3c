package dev.backlight.api.method;

import dev.backlight.api.Tensor;
import dev.backlight.api.backend.CompiledModel;
import dev.backlight.api.rule.ReluRule;

/**
 * An attribution method: a recipe of forward and backward passes that uses ReLU rules. Methods
 * are published by {@link AttributionMethodProvider}s and found by id with
 * {@link AttributionMethods#byId(String)}; configured variants are made with the methods' own
 * constructors. Implementations are immutable and thread-safe.
 */
public interface AttributionMethod {

    /** The id users select it by, such as {@code guided-backprop}. */
    String id();

    /** One line saying what it computes. */
    String description();

    /**
     * Every ReLU rule its backward passes use, the main one first (Guided Grad-CAM, say, runs the
     * vanilla rule for its Grad-CAM part and the guided rule for its guided part). Backend selection
     * picks a backend that supports all of them.
     */
    java.util.List<ReluRule> rules();

    /**
     * Graph nodes the model must be compiled to observe
     * ({@link dev.backlight.api.backend.CompileOptions}), e.g. Grad-CAM's layer. Empty for most.
     */
    default java.util.Set<String> observedNodes() {
        return java.util.Set.of();
    }

    /**
     * Explains a batch.
     *
     * @param model a compiled classifier (output {@code [N, classes]})
     * @param input {@code [N, C, H, W]}, preprocessed as the model expects
     * @param target which classes to explain
     * @return the logits and one map per target rank
     */
    Attribution attribute(CompiledModel model, Tensor input, Target target);
}
