package dev.backlight.api.internal;

/**
 * Collects the failures of closing several things: the first is kept and thrown once all were
 * tried, the later ones are added to it as suppressed.
 */
public final class Failures {
    private Failures() {
    }

    /**
     * {@code next} added to {@code first}: {@code next} itself when there is no earlier failure,
     * otherwise {@code first} with {@code next} suppressed.
     */
    public static RuntimeException add(RuntimeException first, RuntimeException next) {
        if (first == null) {
            return next;
        }
        first.addSuppressed(next);
        return first;
    }
}
