package dev.backlight.api.method;

import dev.backlight.api.Tensor;
import dev.backlight.api.backend.CompiledModel;
import dev.backlight.api.rule.BuiltinRule;
import dev.backlight.api.rule.ReluRule;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code input-x-gradient}: the input times its vanilla gradient, elementwise (Shrikumar et al.
 * 2016). One forward and one backward pass per target rank.
 */
public final class InputTimesGradient implements AttributionMethod {
    @Override
    public String id() {
        return "input-x-gradient";
    }

    @Override
    public String description() {
        return "input x gradient: x * d logit / d x";
    }

    @Override
    public java.util.List<ReluRule> rules() {
        return java.util.List.of(BuiltinRule.VANILLA);
    }

    @Override
    public Attribution attribute(CompiledModel model, Tensor input, Target target) {
        Attribution gradient = ReluRuleMethod.gradient().attribute(model, input, target);
        List<Tensor> maps = new ArrayList<>();
        for (Tensor g : gradient.maps()) {
            maps.add(MapMath.multiply(input, g));
        }
        return new Attribution(id(), gradient.backend(), gradient.logits(), gradient.classes(), maps);
    }
}
