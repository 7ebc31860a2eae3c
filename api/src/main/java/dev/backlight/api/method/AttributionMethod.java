package dev.backlight.api.method;

import dev.backlight.api.Tensor;
import dev.backlight.api.backend.CompiledModel;
import dev.backlight.api.rule.ReluRule;

/**
 * Service-provider interface of an attribution method: a recipe of forward and backward passes
 * that uses a ReLU rule. Found by id with {@link AttributionMethods#byId(String)}; declare
 * implementations in {@code META-INF/services/dev.backlight.api.method.AttributionMethod} (public
 * class, public no-argument constructor). Implementations are stateless and thread-safe.
 */
public interface AttributionMethod {

    /** The id users select it by, such as {@code guided-backprop}. */
    String id();

    /** One line saying what it computes. */
    String description();

    /** The ReLU rule its backward passes use (backend selection checks support for it). */
    ReluRule rule();

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
