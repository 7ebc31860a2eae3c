package dev.backlight.examples;

import dev.backlight.api.method.AttributionMethod;
import dev.backlight.api.method.AttributionMethodProvider;
import dev.backlight.api.method.ReluRuleMethod;
import dev.backlight.api.rule.ReluRule;
import dev.backlight.api.rule.ReluRuleProvider;
import dev.backlight.api.rule.ReluSite;
import java.util.List;

/**
 * An application's own ReLU rule and the method that uses it, published through
 * {@code META-INF/services/dev.backlight.api.rule.ReluRuleProvider} and
 * {@code META-INF/services/dev.backlight.api.method.AttributionMethodProvider}. A rule alone is not
 * enough to appear as a method: the method provider is what makes {@code positive-input} selectable.
 *
 * <p>The rule passes back the gradient's magnitude where the ReLU's input was positive,
 * {@code dx = |dy| · [x > 0]}: Guided Backpropagation without discarding negative gradients' evidence.
 * It is applied to a whole layer at once, as every {@link ReluRule} is.
 */
public final class PositiveInputRuleProvider implements ReluRuleProvider, AttributionMethodProvider {
    /** The rule's id. */
    public static final String RULE_ID = "positive-input";
    /** The method's id. */
    public static final String METHOD_ID = "positive-input";

    private static final ReluRule RULE = new ReluRule() {
        @Override
        public String id() {
            return RULE_ID;
        }

        @Override
        public void backward(ReluSite site, float[] x, float[] dy, float[] dx) {
            int n = site.elements();
            for (int i = 0; i < n; i++) {
                dx[i] = x[i] > 0f ? Math.abs(dy[i]) : 0f;
            }
        }
    };

    /** Used by {@link java.util.ServiceLoader}. */
    public PositiveInputRuleProvider() {
    }

    @Override
    public List<ReluRule> rules() {
        return List.of(RULE);
    }

    @Override
    public List<AttributionMethod> methods() {
        return List.of(new ReluRuleMethod(METHOD_ID, "|dy| where the ReLU input was positive (an example rule)", RULE));
    }
}
