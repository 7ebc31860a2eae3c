package dev.backlight.api.method;

import java.util.List;

/** The attribution methods that ship with Backlight, with default settings. */
public final class BuiltinMethods implements AttributionMethodProvider {
    /** Used by {@link java.util.ServiceLoader}. */
    public BuiltinMethods() {
    }

    @Override
    public List<AttributionMethod> methods() {
        return List.of(
                ReluRuleMethod.guidedBackprop(),
                ReluRuleMethod.gradient(),
                ReluRuleMethod.deconvnet(),
                new InputTimesGradient(),
                SmoothGrad.smoothGrad(ReluRuleMethod.gradient()),
                SmoothGrad.squared(ReluRuleMethod.gradient()),
                SmoothGrad.varGrad(ReluRuleMethod.gradient()),
                new IntegratedGradients(),
                new GradCam(),
                new GuidedGradCam());
    }
}
