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

/**
 * Writes the files of one input into the output folder, each atomically: for an image the
 * pictures of each rank's map ({@link PictureKind}; with the random-weights banner and {@code tEXt}
 * "Warning" when the weights are random), optionally placed on the whole source image, and with
 * {@code --save-raw} the raw {@code .npy} maps; for an array the logits and a raw {@code .npy}
 * map per rank; then the JSON report. The output folder and its sub-folders are created on the
 * first write (which first records the run's settings, see {@link RunRecord}), so a run in which
 * every input fails leaves no output behind.
 *
 * <p>An input's files are all written or none: if one cannot be written, those already written for
 * it are deleted before the failure is thrown, so that {@code --resume} does it again.
 */
final class OutputWriter {
    private final Path directory;
    private final ExplainContext context;
    private final MapStyle style;
    private final Runnable beforeFirstWrite;
    private boolean prepared;

    /**
     * @param beforeFirstWrite run once, after the folder is created and before the first file is
     *     written into it
     */
    OutputWriter(Path directory, ExplainContext context, MapStyle style, Runnable beforeFirstWrite) {
        this.directory = directory;
        this.context = context;
        this.style = style;
        this.beforeFirstWrite = beforeFirstWrite;
    }

    /**
     * Writes every output of {@code result}; if one fails, deletes the ones written and throws.
     *
     * @return for an image, the pictures of its best-ranked map at crop resolution, in kind order,
     *     as written (with the random-weights banner, if any); empty for an array
     * @throws BacklightException if a file cannot be written (see {@link dev.backlight.cli.DiskFull})
     */
    List<BufferedImage> write(InputResult result) {
        List<Path> written = new ArrayList<>();
        try {
            return write(result, written);
        } catch (RuntimeException e) {
            for (Path file : written) {
                try {
                    Files.deleteIfExists(file);
                } catch (IOException suppressed) {
                    e.addSuppressed(suppressed);
                }
            }
            throw e;
        }
    }

    private List<BufferedImage> write(InputResult result, List<Path> written) {
        Attribution a = result.attribution();
        OutputNames names = result.names();
        List<BufferedImage> first = new ArrayList<>();
        if (names.logits() != null) {
            Npy.write(target(names.logits(), written), a.logits());
        }
        for (int r = 0; r < a.perImage(); r++) {
            OutputNames.RankFiles files = names.ranks().get(r);
            if (files.raw() != null) {
                Npy.write(target(files.raw(), written), a.map(r));
            }
            if (result.explanation() != null) {
                List<BufferedImage> pictures = writePictures(result.explanation(), r, files, written);
                if (r == 0) {
                    first.addAll(pictures);
                }
            }
        }
        ExplainReport.write(target(names.report(), written), context, result);
        return first;
    }

    /** Draws and writes the pictures of one rank's map with the library's renderer; the map is normalised once. */
    private List<BufferedImage> writePictures(Explanation explanation, int rank, OutputNames.RankFiles files,
                                              List<Path> written) {
        Map<String, String> text = explanation.pngText(rank, style);
        Tensor maps = explanation.map(rank);
        NormalisedMap map = NormalisedMap.of(maps, 0, style);
        List<BufferedImage> drawn = new ArrayList<>();
        // In kind order (the names are an EnumMap), the order of the grid's columns in every run.
        for (Map.Entry<PictureKind, String> picture : files.pictures().entrySet()) {
            BufferedImage drawnPicture = MapPictures.draw(picture.getKey(), map, style,
                    explanation.image().orElseThrow().crop(), maps, 0);
            if (context.warning().isPresent()) {
                Banner.draw(drawnPicture, WeightsSource.RANDOM_BANNER);
            }
            PngFiles.write(target(picture.getValue(), written), drawnPicture, text);
            drawn.add(drawnPicture);
        }
        if (!files.fullSize().isEmpty()) {
            for (Map.Entry<PictureKind, String> f : files.fullSize().entrySet()) {
                PngFiles.write(target(f.getValue(), written), explanation.pictureOnSource(f.getKey(), rank, style), text);
            }
        }
        return drawn;
    }

    /**
     * The path of output {@code name}, checked to lie inside the output folder, its folder created if
     * needed, and added to {@code written} (it is about to be).
     */
    private Path target(String name, List<Path> written) {
        Path file;
        try {
            file = OutputNames.inside(directory, name);
        } catch (IllegalArgumentException e) {
            // planAll has refused such names already; this guards every write all the same.
            throw new BacklightException(e.getMessage(), e);
        }
        if (!prepared) {
            OutputDirectory.prepare(directory);
            beforeFirstWrite.run();
            prepared = true;
        }
        try {
            Files.createDirectories(file.getParent());
        } catch (IOException e) {
            throw new BacklightException("cannot create the folder of " + file + ": " + e, e);
        }
        written.add(file);
        return file;
    }

}
