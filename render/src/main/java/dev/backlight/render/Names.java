package dev.backlight.render;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** Enum constants by their user-facing names: lower case, {@code -} for {@code _}. */
final class Names {
    private Names() {
    }

    static <E extends Enum<E>> E byId(Class<E> type, String id, String what) {
        String name = id.trim().toUpperCase(Locale.ROOT).replace('-', '_');
        try {
            return Enum.valueOf(type, name);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("unknown " + what + " '" + id + "'; give one of " + Arrays.stream(type.getEnumConstants())
                    .map(c -> c.name().toLowerCase(Locale.ROOT).replace('_', '-')).collect(Collectors.joining(", ")), e);
        }
    }
}
