package dev.backlight.api.method;

import dev.backlight.api.Shape;
import dev.backlight.api.Tensor;
import dev.backlight.api.backend.CompiledModel;
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
        int n = logits.shape().dim(0);
        int numClasses = logits.shape().dim(1);
        List<Tensor> maps = new ArrayList<>();
        for (int r = 0; r < target.perImage(); r++) {
            float[] seed = new float[n * numClasses];
            for (int i = 0; i < n; i++) {
                seed[i * numClasses + classes[i][r]] = 1f;
            }
            maps.add(model.backward(Tensor.of(Shape.of(n, numClasses), seed), rule));
        }
        return new Attribution(id, model.backendName(), logits, classes, maps);
    }

    @Override
    public String toString() {
        return id;
    }
}
