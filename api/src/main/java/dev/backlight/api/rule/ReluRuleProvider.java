package dev.backlight.api.rule;

import java.util.List;

/**
 * Service-provider interface through which extensions publish custom {@link ReluRule}s. List the
 * implementing class in {@code META-INF/services/dev.backlight.api.rule.ReluRuleProvider}; rules
 * are then found by id with {@link ReluRules#byId(String)}.
 */
public interface ReluRuleProvider {

    /** The rules this provider contributes. Must be cheap and must not throw. */
    List<ReluRule> rules();
}
