package dev.backlight.api.method;

import dev.backlight.api.Shape;
import dev.backlight.api.Tensor;
import dev.backlight.api.backend.CompiledModel;
import dev.backlight.api.rule.BuiltinRule;
import dev.backlight.api.rule.ReluRule;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A method that is one gradient-style backward pass per target under a fixed ReLU rule: one
 * forward, then for each target rank r a backward pass seeded with a one-hot row per image
 * selecting that image's r-th target logit. The map is the raw input gradient.
 */
public class ReluRuleMethod implements AttributionMethod {
    private final String id;
    private final String description;
    private final ReluRule rule;

    /** {@code gradient}: the vanilla input gradient of the target logit (Simonyan et al. 2014). */
    public static ReluRuleMethod gradient() {
        return new ReluRuleMethod("gradient", "vanilla gradient (saliency): d logit / d input", BuiltinRule.VANILLA);
    }

    /** {@code deconvnet}: Zeiler and Fergus' deconvnet backward (ReLU backward = max(dy, 0)). */
    public static ReluRuleMethod deconvnet() {
        return new ReluRuleMethod("deconvnet", "Deconvnet: every ReLU passes back max(dy, 0), ignoring forward masks",
                BuiltinRule.DECONVNET);
    }

    /** {@code guided-backprop}: Guided Backpropagation (Springenberg et al. 2015). */
    public static ReluRuleMethod guidedBackprop() {
        return new ReluRuleMethod("guided-backprop",
                "Guided Backpropagation: every ReLU passes back max(dy, 0) where its input was positive", BuiltinRule.GUIDED);
    }

    /** A method with the given id and description using {@code rule}. */
    public ReluRuleMethod(String id, String description, ReluRule rule) {
        this.id = Objects.requireNonNull(id);
        this.description = Objects.requireNonNull(description);
        this.rule = Objects.requireNonNull(rule);
    }

    @Override
    public String id() {
        return id;
    }

    @Override
    public String description() {
        return description;
    }

    @Override
    public java.util.List<ReluRule> rules() {
        return java.util.List.of(rule);
    }

    /** The one rule of its backward passes. */
    public ReluRule rule() {
        return rule;
    }

    @Override
    public Attribution attribute(CompiledModel model, Tensor input, Target target) {
        Tensor logits = model.forward(input);
        if (logits.shape().rank() != 2) {
            throw new IllegalArgumentException("attribution needs a classifier with [N, classes] output, got " + logits.shape());
        }
        int[][] classes = target.resolve(logits);
        int numClasses = logits.shape().dim(1);
        List<Tensor> maps = new ArrayList<>();
        for (int r = 0; r < target.perImage(); r++) {
            maps.add(model.backward(oneHot(classes, r, numClasses), rule));
        }
        return new Attribution(id, model.backendName(), logits, classes, maps);
    }

    /**
     * The backward seed that selects, for every image i, the logit of class {@code classes[i][rank]}.
     */
    public static Tensor oneHot(int[][] classes, int rank, int numClasses) {
        float[] seed = new float[classes.length * numClasses];
        for (int i = 0; i < classes.length; i++) {
            seed[i * numClasses + classes[i][rank]] = 1f;
        }
        return Tensor.of(Shape.of(classes.length, numClasses), seed);
    }

    @Override
    public String toString() {
        return id;
    }
}
