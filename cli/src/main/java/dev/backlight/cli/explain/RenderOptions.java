package dev.backlight.cli.explain;

import dev.backlight.render.ChannelReduction;
import dev.backlight.render.Colormap;
import dev.backlight.render.MapSign;
import dev.backlight.render.MapStyle;
import dev.backlight.render.PictureKind;
import java.util.Locale;
import java.util.Set;
import picocli.CommandLine.Option;

/**
 * The {@code explain} options that say which pictures are drawn of an image's maps and how:
 * {@code --render}, {@code --reduce}, {@code --sign}, {@code --clip-percentile}, {@code
 * --colormap}, {@code --overlay-alpha}, {@code --full-size}, {@code --grid} and {@code
 * --background}.
 */
public final class RenderOptions {
    @Option(names = "--render", paramLabel = "LIST", defaultValue = "all",
            description = "Pictures per map, comma-separated: gray (the normalised map in gray levels), heatmap"
                    + " (through --colormap), overlay (the heat map on the input), rgb (the classic min-max RGB picture"
                    + " of the gradient), all (gray,heatmap,overlay). Default: ${DEFAULT-VALUE}.")
    private String render;

    @Option(names = "--reduce", paramLabel = "HOW", defaultValue = "max-abs",
            description = "Channel reduction: sum, max-abs (the channel of largest magnitude) or l2. Default: ${DEFAULT-VALUE}.")
    private String reduce;

    @Option(names = "--sign", paramLabel = "PART", defaultValue = "absolute",
            description = "Which part of the map is shown: positive, negative, absolute or signed (both, with a"
                    + " diverging colour map). Default: ${DEFAULT-VALUE}.")
    private String sign;

    @Option(names = "--clip-percentile", paramLabel = "P", defaultValue = "99.5",
            description = "Values above this percentile of the shown magnitudes get full colour (100: the maximum)."
                    + " Default: ${DEFAULT-VALUE}.")
    private double clipPercentile;

    @Option(names = "--colormap", paramLabel = "NAME",
            description = "Heat map colours: inferno, viridis, magma, coolwarm (diverging) or gray. Default: inferno,"
                    + " or coolwarm with --sign signed.")
    private String colormap;

    @Option(names = "--overlay-alpha", paramLabel = "A", defaultValue = "0.6",
            description = "How much the heat map covers the input where the map is strongest, 0..1 (weaker pixels"
                    + " in proportion). Default: ${DEFAULT-VALUE}.")
    private double overlayAlpha;

    @Option(names = "--full-size",
            description = "Also place each map on the whole (uncropped, upright) source image: <name>.full.png"
                    + " pictures at its resolution, 0 outside the crop.")
    private boolean fullSize;

    @Option(names = "--grid",
            description = "Also write grid.png in --out: one row per image of the run (input crop, then each picture),"
                    + " captioned; 100 rows per page (grid-2.png, ...).")
    private boolean grid;

    @Option(names = "--background", paramLabel = "COLOUR", defaultValue = "white",
            description = "Colour under transparent pixels of PNG/WebP/GIF inputs: white, black, gray or #RRGGBB."
                    + " Default: ${DEFAULT-VALUE}.")
    private String background;

    /** The pictures to draw. */
    Set<PictureKind> renders() {
        return parse("--render " + render, () -> PictureKind.parseList(render));
    }

    /**
     * The drawing style.
     *
     * @throws IllegalArgumentException naming the option with a bad value
     */
    MapStyle style() {
        MapSign mapSign = parse("--sign " + sign, () -> MapSign.byId(sign));
        ChannelReduction reduction = parse("--reduce " + reduce, () -> ChannelReduction.byId(reduce));
        String map = colormap != null ? colormap
                : mapSign.signed() ? Colormap.DEFAULT_DIVERGING : Colormap.DEFAULT_SEQUENTIAL;
        Colormap colours = parse("--colormap " + map, () -> Colormap.named(map));
        if (!(clipPercentile > 0 && clipPercentile <= 100)) {
            throw new IllegalArgumentException("--clip-percentile " + clipPercentile + " is out of range: give a percentile"
                    + " in (0, 100], such as 99.5");
        }
        if (!(overlayAlpha >= 0 && overlayAlpha <= 1)) {
            throw new IllegalArgumentException("--overlay-alpha " + overlayAlpha + " is out of range: give 0..1");
        }
        return new MapStyle(reduction, mapSign, clipPercentile, colours, overlayAlpha);
    }

    /** The library's parse, its error message prefixed with the option and value. */
    private static <T> T parse(String option, java.util.function.Supplier<T> parsed) {
        try {
            return parsed.get();
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(option + ": " + e.getMessage(), e);
        }
    }

    /** Whether maps are also placed on the whole source image. */
    boolean fullSize() {
        return fullSize;
    }

    /** Whether a contact sheet of the run is written. */
    boolean grid() {
        return grid;
    }

    /**
     * The background colour, {@code 0xRRGGBB}.
     *
     * @throws IllegalArgumentException if it is not a known name or {@code #RRGGBB}
     */
    int background() {
        String value = background.trim().toLowerCase(Locale.ROOT);
        switch (value) {
            case "white":
                return 0xFFFFFF;
            case "black":
                return 0x000000;
            case "gray":
            case "grey":
                return 0x808080;
            default:
                if (value.matches("#[0-9a-f]{6}")) {
                    return Integer.parseInt(value.substring(1), 16);
                }
                throw new IllegalArgumentException("--background " + background + ": give white, black, gray or #RRGGBB");
        }
    }

}
