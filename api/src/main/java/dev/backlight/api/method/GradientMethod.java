package dev.backlight.api.method;

import dev.backlight.api.rule.BuiltinRule;

/** {@code gradient}: the vanilla input gradient of the target logit (Simonyan et al. 2014). */
public final class GradientMethod extends ReluRuleMethod {
    /** The method; used by {@link java.util.ServiceLoader}. */
    public GradientMethod() {
        super("gradient", "vanilla gradient (saliency): d logit / d input", BuiltinRule.VANILLA);
    }
}
