package dev.backlight.api.internal;

import java.util.Optional;

/**
 * Reads a setting that a system property or an environment variable may give: the property wins
 * (it is the more explicit of the two), then the variable; blank values count as absent.
 */
public final class Settings {
    private Settings() {
    }

    /** The value of property {@code property}, else of variable {@code variable}. */
    public static Optional<String> get(String property, String variable) {
        String value = System.getProperty(property);
        if (value == null || value.isBlank()) {
            value = System.getenv(variable);
        }
        return value == null || value.isBlank() ? Optional.empty() : Optional.of(value.trim());
    }
}
