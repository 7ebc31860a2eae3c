package dev.backlight.api.method;

import dev.backlight.api.rule.BuiltinRule;

/** {@code guided-backprop}: Guided Backpropagation (Springenberg et al. 2015). */
public final class GuidedBackpropMethod extends ReluRuleMethod {
    /** The method; used by {@link java.util.ServiceLoader}. */
    public GuidedBackpropMethod() {
        super("guided-backprop", "Guided Backpropagation: every ReLU passes back max(dy, 0) where its input was positive",
                BuiltinRule.GUIDED);
    }
}
