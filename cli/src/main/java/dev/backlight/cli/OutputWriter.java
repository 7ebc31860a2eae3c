package dev.backlight.cli;

import dev.backlight.api.BacklightException;
import dev.backlight.api.io.Npy;
import dev.backlight.api.method.Attribution;
import dev.backlight.densenet.imagenet.ImageNetLabels;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * Writes the files of one input into the output folder, each atomically: for an image the
 * pictures of each rank's map ({@link RenderKind}; with the random-weights banner and {@code tEXt}
 * "Warning" when the weights are random), optionally placed on the whole source image, and with
 * {@code --save-raw} the raw {@code .npy} maps; for an array the logits and a raw {@code .npy}
 * map per rank; then the JSON report. The output folder and its sub-folders are created on the
 * first write, so a run in which every input fails leaves no folder behind.
 */
final class OutputWriter {
    private final Path directory;
    private final ExplainContext context;
    private final ImageNetLabels labels;
    private final MapStyle style;
    private final Set<RenderKind> renders;
    private boolean prepared;

    OutputWriter(Path directory, ExplainContext context, ImageNetLabels labels, MapStyle style, Set<RenderKind> renders) {
        this.directory = directory;
        this.context = context;
        this.labels = labels;
        this.style = style;
        this.renders = renders;
    }

    /**
     * Writes every output of {@code result}.
     *
     * @return for an image, the pictures of its best-ranked map at crop resolution, by kind (for
     *     the grid); empty for an array
     * @throws BacklightException if a file cannot be written
     */
    Map<RenderKind, BufferedImage> write(InputResult result) {
        Attribution a = result.attribution();
        OutputNames names = result.names();
        Map<RenderKind, BufferedImage> first = new EnumMap<>(RenderKind.class);
        if (names.logits() != null) {
            Npy.write(target(names.logits()), a.logits());
        }
        for (int r = 0; r < a.perImage(); r++) {
            OutputNames.RankFiles files = names.ranks().get(r);
            if (files.raw() != null) {
                Npy.write(target(files.raw()), a.map(r));
            }
            if (result.input().kind() == InputFile.Kind.IMAGE) {
                Map<RenderKind, BufferedImage> pictures = writePictures(result, r, files);
                if (r == 0) {
                    first.putAll(pictures);
                }
            }
        }
        ExplainReport.write(target(names.report()), context, result);
        return first;
    }

    private Map<RenderKind, BufferedImage> writePictures(InputResult result, int rank, OutputNames.RankFiles files) {
        Attribution a = result.attribution();
        Map<String, String> text = pngText(a.targetClass(0, rank));
        NormalisedMap map = NormalisedMap.of(a.map(rank), style);
        Map<RenderKind, BufferedImage> drawn = new EnumMap<>(RenderKind.class);
        for (RenderKind kind : renders) {
            BufferedImage picture = draw(kind, map, result.input().crop(), a, rank);
            drawn.put(kind, copy(picture));
            save(files.pictures().get(kind), picture, text);
        }
        if (!files.fullSize().isEmpty()) {
            NormalisedMap whole = map.onSource(result.input().box());
            for (Map.Entry<RenderKind, String> f : files.fullSize().entrySet()) {
                save(f.getValue(), draw(f.getKey(), whole, result.input().source(), a, rank), text);
            }
        }
        return drawn;
    }

    private BufferedImage draw(RenderKind kind, NormalisedMap map, BufferedImage base, Attribution a, int rank) {
        return switch (kind) {
            case GRAY -> MapPictures.gray(map);
            case HEATMAP -> MapPictures.heatmap(map, style.colormap());
            case OVERLAY -> MapPictures.overlay(map, style.colormap(), base, style.overlayAlpha());
            case RGB -> MapRenderer.render(a.map(rank), 0);
        };
    }

    private void save(String name, BufferedImage picture, Map<String, String> text) {
        context.weights().warning().ifPresent(w -> MapRenderer.drawBanner(picture, WeightsSource.RANDOM_BANNER));
        PngFiles.write(target(name), picture, text);
    }

    private static BufferedImage copy(BufferedImage image) {
        BufferedImage out = new BufferedImage(image.getWidth(), image.getHeight(), BufferedImage.TYPE_INT_RGB);
        out.setRGB(0, 0, image.getWidth(), image.getHeight(),
                image.getRGB(0, 0, image.getWidth(), image.getHeight(), null, 0, image.getWidth()), 0, image.getWidth());
        return out;
    }

    /** The path of output {@code name}, checked to lie inside the output folder, its folder created if needed. */
    private Path target(String name) {
        Path file;
        try {
            file = OutputNames.inside(directory, name);
        } catch (IllegalArgumentException e) {
            // planAll has refused such names already; this guards every write all the same.
            throw new BacklightException(e.getMessage(), e);
        }
        if (!prepared) {
            OutputDirectory.prepare(directory);
            prepared = true;
        }
        try {
            Files.createDirectories(file.getParent());
        } catch (IOException e) {
            throw new BacklightException("cannot create the folder of " + file + ": " + e, e);
        }
        return file;
    }

    private Map<String, String> pngText(int targetClass) {
        Map<String, String> text = new LinkedHashMap<>();
        text.put("Software", "backlight " + VersionProvider.version());
        text.put("Description", context.method() + " map of class " + targetClass + " (" + labels.name(targetClass)
                + "), " + context.model() + ", weights " + context.weights().description() + "; " + style.reduction().id()
                + " over channels, " + style.sign().id() + ", clipped at percentile " + style.clipPercentile()
                + ", colour map " + style.colormap().name());
        if (context.weights().warning().isPresent()) {
            text.put("Warning", WeightsSource.RANDOM_BANNER);
        }
        return text;
    }
}
