package dev.backlight.cli.explain;

import dev.backlight.Explanation;
import dev.backlight.WeightsSource;
import dev.backlight.api.BacklightException;
import dev.backlight.api.Tensor;
import dev.backlight.api.io.Npy;
import dev.backlight.api.method.Attribution;
import dev.backlight.cli.OutputDirectory;
import dev.backlight.render.Banner;
import dev.backlight.render.MapPictures;
import dev.backlight.render.MapStyle;
import dev.backlight.render.NormalisedMap;
import dev.backlight.render.PictureKind;
import dev.backlight.render.PngFiles;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Writes the files of one input into the output folder, each atomically: for an image the
 * pictures of each rank's map ({@link PictureKind}; with the random-weights banner and {@code tEXt}
 * "Warning" when the weights are random), optionally placed on the whole source image, and with
 * {@code --save-raw} the raw {@code .npy} maps; for an array the logits and a raw {@code .npy}
 * map per rank; then the JSON report. The output folder and its sub-folders are created on the
 * first write, so a run in which every input fails leaves no folder behind.
 */
final class OutputWriter {
    private final Path directory;
    private final ExplainContext context;
    private final MapStyle style;
    private final Set<PictureKind> renders;
    private boolean prepared;

    OutputWriter(Path directory, ExplainContext context, MapStyle style, Set<PictureKind> renders) {
        this.directory = directory;
        this.context = context;
        this.style = style;
        this.renders = renders;
    }

    /**
     * Writes every output of {@code result}.
     *
     * @return for an image, the pictures of its best-ranked map at crop resolution, in kind order,
     *     without the random-weights banner (for the grid); empty for an array
     * @throws BacklightException if a file cannot be written
     */
    List<BufferedImage> write(InputResult result) {
        Attribution a = result.attribution();
        OutputNames names = result.names();
        List<BufferedImage> first = new ArrayList<>();
        if (names.logits() != null) {
            Npy.write(target(names.logits()), a.logits());
        }
        for (int r = 0; r < a.perImage(); r++) {
            OutputNames.RankFiles files = names.ranks().get(r);
            if (files.raw() != null) {
                Npy.write(target(files.raw()), a.map(r));
            }
            if (result.explanation() != null) {
                List<BufferedImage> pictures = writePictures(result.explanation(), r, files);
                if (r == 0) {
                    first.addAll(pictures);
                }
            }
        }
        ExplainReport.write(target(names.report()), context, result);
        return first;
    }

    /** Draws and writes the pictures of one rank's map with the library's renderer; the map is normalised once. */
    private List<BufferedImage> writePictures(Explanation explanation, int rank, OutputNames.RankFiles files) {
        Map<String, String> text = explanation.pngText(rank, style);
        Tensor maps = explanation.map(rank);
        NormalisedMap map = NormalisedMap.of(maps, 0, style);
        List<BufferedImage> drawn = new ArrayList<>();
        for (PictureKind kind : renders) {
            BufferedImage picture = MapPictures.draw(kind, map, style, explanation.image().orElseThrow().crop(), maps, 0);
            drawn.add(copy(picture));
            save(files.pictures().get(kind), picture, text);
        }
        if (!files.fullSize().isEmpty()) {
            for (Map.Entry<PictureKind, String> f : files.fullSize().entrySet()) {
                PngFiles.write(target(f.getValue()), explanation.pictureOnSource(f.getKey(), rank, style), text);
            }
        }
        return drawn;
    }

    private void save(String name, BufferedImage picture, Map<String, String> text) {
        if (context.warning().isPresent()) {
            Banner.draw(picture, WeightsSource.RANDOM_BANNER);
        }
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

}
