package dev.backlight.cli;

import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;

/** The pictures {@code explain} draws of a map, selected with {@code --render}. */
enum RenderKind {
    /** The normalised map in gray levels: black 0, white the clip value (signed maps: mid-gray 0). */
    GRAY,
    /** The normalised map through a colour map. */
    HEATMAP,
    /** The heat map blended onto the input, in proportion to the map's strength. */
    OVERLAY,
    /** The classic picture of an input gradient: all three channels min-max normalised, as RGB. */
    RGB;

    /** What {@code --render all} means: the three pictures of the map. */
    static final Set<RenderKind> ALL = EnumSet.of(GRAY, HEATMAP, OVERLAY);

    /** The option value and the file-name part, such as {@code heatmap}. */
    String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * The kinds a {@code --render} value names: a comma-separated list of {@code gray}, {@code
     * heatmap}, {@code overlay}, {@code rgb} and {@code all}.
     *
     * @throws IllegalArgumentException for an empty list or an unknown name
     */
    static Set<RenderKind> parse(String list) {
        Set<RenderKind> kinds = EnumSet.noneOf(RenderKind.class);
        for (String part : list.split(",", -1)) {
            String name = part.trim().toLowerCase(Locale.ROOT);
            if (name.equals("all")) {
                kinds.addAll(ALL);
                continue;
            }
            try {
                kinds.add(valueOf(name.toUpperCase(Locale.ROOT)));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("--render " + list + ": '" + part.trim() + "' is not one of gray,"
                        + " heatmap, overlay, rgb, all");
            }
        }
        return kinds;
    }
}
