package dev.backlight.render;

import java.util.Collections;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;

/** The pictures drawn of an attribution map. */
public enum PictureKind {
    /** The normalised map in gray levels: black 0, white the clip value (signed maps: mid-gray 0). */
    GRAY,
    /** The normalised map through a colour map. */
    HEATMAP,
    /** The heat map blended onto the input, in proportion to the map's strength. */
    OVERLAY,
    /** The classic picture of an input gradient: all three channels min-max normalised, as RGB. */
    RGB;

    /** The usual set, {@code all}: the three pictures of the normalised map (gray, heatmap, overlay). */
    public static final Set<PictureKind> ALL = Collections.unmodifiableSet(EnumSet.of(GRAY, HEATMAP, OVERLAY));

    /** The lower-case name, used in file names: {@code gray}, {@code heatmap}, {@code overlay}, {@code rgb}. */
    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * The kind named {@code id} (case ignored).
     *
     * @throws IllegalArgumentException for any other name
     */
    public static PictureKind byId(String id) {
        for (PictureKind k : values()) {
            if (k.id().equalsIgnoreCase(id.trim())) {
                return k;
            }
        }
        throw new IllegalArgumentException("unknown picture kind '" + id + "'; give gray, heatmap, overlay or rgb");
    }

    /**
     * The kinds a comma-separated list names: {@code gray}, {@code heatmap}, {@code overlay},
     * {@code rgb} and {@code all} (gray, heatmap and overlay).
     *
     * @throws IllegalArgumentException for an unknown name
     */
    public static Set<PictureKind> parseList(String list) {
        Set<PictureKind> kinds = EnumSet.noneOf(PictureKind.class);
        for (String part : list.split(",", -1)) {
            String name = part.trim();
            if (name.equalsIgnoreCase("all")) {
                kinds.addAll(ALL);
            } else {
                try {
                    kinds.add(byId(name));
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException("'" + name + "' in '" + list
                            + "' is not one of gray, heatmap, overlay, rgb, all", e);
                }
            }
        }
        return kinds;
    }
}
