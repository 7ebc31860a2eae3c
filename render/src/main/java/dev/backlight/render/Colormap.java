package dev.backlight.render;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;

/**
 * A colour map: 256 colours from 0 to 1. {@code viridis}, {@code inferno} and {@code magma} are
 * matplotlib's perceptually uniform maps (CC0), {@code coolwarm} Moreland's diverging map, {@code
 * gray} black to white; the tables are resources beside this class, made by {@code
 * render/src/tools/make_colormaps.py}. Immutable and thread-safe.
 */
public final class Colormap {
    /** The names of the maps. */
    public static final List<String> NAMES = List.of("inferno", "viridis", "magma", "coolwarm", "gray");
    /** The map for unsigned maps unless another is named. */
    public static final String DEFAULT_SEQUENTIAL = "inferno";
    /** The map for signed maps unless another is named: blue negative, white 0, red positive. */
    public static final String DEFAULT_DIVERGING = "coolwarm";

    private static final int SIZE = 256;

    private final String name;
    private final int[] rgb;

    private Colormap(String name, int[] rgb) {
        this.name = name;
        this.rgb = rgb;
    }

    /**
     * The map called {@code name}.
     *
     * @throws IllegalArgumentException if there is none
     */
    public static Colormap named(String name) {
        String id = name.trim().toLowerCase(Locale.ROOT);
        if (!NAMES.contains(id)) {
            throw new IllegalArgumentException("unknown colour map '" + name + "'; give one of " + String.join(", ", NAMES));
        }
        if (id.equals("gray")) {
            int[] levels = new int[SIZE];
            for (int i = 0; i < SIZE; i++) {
                levels[i] = i * 0x010101;
            }
            return new Colormap(id, levels);
        }
        return new Colormap(id, table(id));
    }

    /** The map's name. */
    public String name() {
        return name;
    }

    /** The colour {@code 0xRRGGBB} at {@code t}, clamped to [0, 1] (NaN counts as 0). */
    public int colour(double t) {
        double clamped = t > 0 ? Math.min(t, 1) : 0;
        return rgb[(int) Math.round(clamped * (SIZE - 1))];
    }

    private static int[] table(String id) {
        String resource = "colormaps/" + id + ".txt";
        try (InputStream in = Colormap.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("the backlight-render jar lacks its resource " + resource);
            }
            List<String> lines = new BufferedReader(new InputStreamReader(in, StandardCharsets.US_ASCII)).lines()
                    .map(String::trim).filter(l -> !l.isEmpty()).toList();
            if (lines.size() != SIZE) {
                throw new IllegalStateException(resource + " has " + lines.size() + " colours, not " + SIZE);
            }
            int[] rgb = new int[SIZE];
            for (int i = 0; i < SIZE; i++) {
                rgb[i] = Integer.parseInt(lines.get(i).substring(1), 16);
            }
            return rgb;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the colour map resource " + resource, e);
        }
    }
}
