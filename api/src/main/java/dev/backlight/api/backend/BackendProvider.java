package dev.backlight.api.backend;

import dev.backlight.api.rule.ReluRule;

/**
 * Service-provider interface of a backend, found with {@link java.util.ServiceLoader} (declare the
 * class in {@code META-INF/services/dev.backlight.api.backend.BackendProvider}).
 *
 * <p>A provider is cheap: constructing it and calling any method but {@link #create} loads no
 * native library and allocates nothing large. {@link #availability()} is total: it never throws,
 * catching {@link LinkageError} and the like, and reports the reason instead.
 */
public interface BackendProvider {

    /** The backend's short name, as users select it: {@code cpu}, {@code cuda}. */
    String name();

    /** Rank for automatic selection: the available provider with the highest priority wins. */
    int priority();

    /** Whether the backend can run here and why; never throws. May be cached by the provider. */
    Availability availability();

    /**
     * What the provider found on this machine, for reports such as {@code backlight info}: for a
     * GPU backend the driver, the GPU and the library versions, found or missing. Like {@link
     * #availability()} it is cheap and total: it never throws. None by default.
     */
    default java.util.List<BackendDetail> details() {
        return java.util.List.of();
    }

    /**
     * Whether the backend can run the backward pass of this ReLU rule. Every backend runs the
     * {@link dev.backlight.api.rule.BuiltinRule}s; custom rules may need the CPU backend.
     */
    boolean supports(ReluRule rule);

    /**
     * Creates the backend. The caller owns it and must close it.
     *
     * @throws dev.backlight.api.BackendUnavailableException if it cannot run here
     */
    Backend create(BackendOptions options);
}
