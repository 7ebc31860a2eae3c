package dev.backlight.api.method;

import java.util.List;

/**
 * Service-provider interface through which attribution methods are published: list the class in
 * {@code META-INF/services/dev.backlight.api.method.AttributionMethodProvider}; its methods are
 * then found by id with {@link AttributionMethods#byId(String)}. Built-in methods come from
 * {@link BuiltinMethods}; an extension publishes its own the same way.
 */
public interface AttributionMethodProvider {

    /** The methods this provider contributes, with default settings. Cheap; must not throw. */
    List<AttributionMethod> methods();
}
