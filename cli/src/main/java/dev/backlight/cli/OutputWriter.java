package dev.backlight.cli;

import dev.backlight.api.io.Npy;
import dev.backlight.api.method.Attribution;
import dev.backlight.densenet.imagenet.ImageNetLabels;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Writes the files of one input into the output folder, each atomically: for an image a PNG map
 * per rank (with the random-weights banner and {@code tEXt} "Warning" when the weights are
 * random), for an array the logits and a raw {@code .npy} map per rank; then the JSON report.
 */
final class OutputWriter {
    private final Path directory;
    private final ExplainContext context;
    private final ImageNetLabels labels;

    OutputWriter(Path directory, ExplainContext context, ImageNetLabels labels) {
        this.directory = directory;
        this.context = context;
        this.labels = labels;
    }

    /**
     * Writes every output of {@code result}.
     *
     * @throws dev.backlight.api.BacklightException if a file cannot be written
     */
    void write(InputResult result) {
        Attribution a = result.attribution();
        OutputNames names = result.names();
        if (result.input().kind() == InputFile.Kind.IMAGE) {
            for (int r = 0; r < a.perImage(); r++) {
                BufferedImage map = MapRenderer.render(a.map(r), 0);
                context.weights().warning().ifPresent(w -> MapRenderer.drawBanner(map, WeightsSource.RANDOM_BANNER));
                PngFiles.write(directory.resolve(names.maps().get(r)), map, pngText(a.targetClass(0, r)));
            }
        } else {
            Npy.write(directory.resolve(names.logits()), a.logits());
            for (int r = 0; r < a.perImage(); r++) {
                Npy.write(directory.resolve(names.maps().get(r)), a.map(r));
            }
        }
        ExplainReport.write(directory.resolve(names.report()), context, result);
    }

    private Map<String, String> pngText(int targetClass) {
        Map<String, String> text = new LinkedHashMap<>();
        text.put("Software", "backlight " + VersionProvider.version());
        text.put("Description", context.method() + " map of class " + targetClass + " (" + labels.name(targetClass)
                + "), " + context.model() + ", weights " + context.weights().description());
        if (context.weights().warning().isPresent()) {
            text.put("Warning", WeightsSource.RANDOM_BANNER);
        }
        return text;
    }
}
