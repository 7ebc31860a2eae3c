package dev.backlight.render;

import java.util.Locale;

/** Which part of a reduced map is shown (Captum's {@code sign} of {@code visualize_image_attr}). */
public enum MapSign {
    /** Positive evidence only: negative values become 0. */
    POSITIVE,
    /** Negative evidence only, as magnitudes: {@code max(-v, 0)}. */
    NEGATIVE,
    /** Magnitudes, whatever the sign. */
    ABSOLUTE,
    /** Both signs, shown with a diverging colour map around 0. */
    SIGNED;

    /** The lower-case name, such as {@code absolute}. */
    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * The sign named {@code id} (case ignored).
     *
     * @throws IllegalArgumentException for any other name
     */
    public static MapSign byId(String id) {
        return Names.byId(MapSign.class, id, "sign");
    }

    /** Whether the result can be negative. */
    public boolean signed() {
        return this == SIGNED;
    }

    /** The value shown for the reduced value {@code v}. */
    public float apply(float v) {
        return switch (this) {
            case POSITIVE -> Math.max(v, 0f);
            case NEGATIVE -> Math.max(-v, 0f);
            case ABSOLUTE -> Math.abs(v);
            case SIGNED -> v;
        };
    }
}
