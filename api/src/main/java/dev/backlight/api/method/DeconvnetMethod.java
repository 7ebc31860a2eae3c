package dev.backlight.api.method;

import dev.backlight.api.rule.BuiltinRule;

/** {@code deconvnet}: Zeiler and Fergus' deconvnet backward (ReLU backward = max(dy, 0)). */
public final class DeconvnetMethod extends ReluRuleMethod {
    /** The method; used by {@link java.util.ServiceLoader}. */
    public DeconvnetMethod() {
        super("deconvnet", "Deconvnet: every ReLU passes back max(dy, 0), ignoring forward masks", BuiltinRule.DECONVNET);
    }
}
