package dev.backlight.example.rectgrad;

import dev.backlight.api.method.AttributionMethod;
import dev.backlight.api.method.AttributionMethodProvider;
import dev.backlight.api.method.ReluRuleMethod;
import dev.backlight.api.rule.ReluRule;
import dev.backlight.api.rule.ReluRuleProvider;
import java.util.List;

/**
 * Publishes the {@code rectgrad} ReLU rule and the {@code rectgrad} attribution method (one
 * backward pass per target under that rule). Both are declared in this jar's
 * {@code META-INF/services}, so putting the jar on the class path is all it takes.
 */
public final class RectGradProvider implements ReluRuleProvider, AttributionMethodProvider {
    private static final RectGradRule RULE = new RectGradRule();

    /** Used by {@link java.util.ServiceLoader}. */
    public RectGradProvider() {
    }

    @Override
    public List<ReluRule> rules() {
        return List.of(RULE);
    }

    @Override
    public List<AttributionMethod> methods() {
        return List.of(new ReluRuleMethod("rectgrad", "RectGrad: ReLUs pass dy only where activation x dy > 0", RULE));
    }
}
