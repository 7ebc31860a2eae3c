package dev.backlight.examples;

import dev.backlight.Explainer;
import dev.backlight.Explanation;
import dev.backlight.ExplanationResult;
import dev.backlight.api.method.Target;
import dev.backlight.densenet.imagenet.Prediction;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * A folder of photos to a CSV of each one's top-5 classes and a {@code .npy} map per photo,
 * streamed through the backend a batch at a time; a file that cannot be read gets a row with its
 * error. Run: {@code ExplainFolder IN_DIR OUT_DIR [WEIGHTS]} (WEIGHTS: a file, or omitted for seeded
 * random weights).
 */
public final class ExplainFolder {
    private ExplainFolder() {
    }

    /** Explains every {@code .jpg}, {@code .jpeg} and {@code .png} file of {@code args[0]} into {@code args[1]}. */
    public static void main(String[] args) throws IOException {
        Path in = Path.of(args[0]);
        Path out = Files.createDirectories(Path.of(args[1]));
        List<Path> photos;
        try (Stream<Path> files = Files.list(in)) {
            photos = files.filter(p -> p.getFileName().toString().toLowerCase(Locale.ROOT).matches(".*\\.(jpe?g|png)"))
                    .sorted().toList();
        }
        Explainer.Builder builder = Explainer.builder().model("densenet121").backend("cpu");
        if (args.length > 2) {
            builder.weights(Path.of(args[2]));
        } else {
            builder.randomWeights(0);
        }
        try (Explainer explainer = builder.build();
             PrintWriter csv = new PrintWriter(Files.newBufferedWriter(out.resolve("top5.csv"), StandardCharsets.UTF_8));
             Stream<ExplanationResult> results = explainer.explainAll(photos, Target.top1())) {
            csv.println("file,rank,class,label,probability,map,error");
            results.forEach(r -> {
                String file = r.input().getFileName().toString();
                if (!r.ok()) {
                    csv.printf(Locale.ROOT, "%s,,,,,,\"%s\"%n", file, r.error().getMessage().replace("\"", "'"));
                    return;
                }
                Explanation e = r.explanation();
                String map = file.replaceFirst("\\.[^.]+$", "") + ".npy";
                e.saveNpy(out.resolve(map));
                List<Prediction> top = e.top(5);
                for (int k = 0; k < top.size(); k++) {
                    Prediction p = top.get(k);
                    csv.printf(Locale.ROOT, "%s,%d,%d,\"%s\",%.6f,%s,%n", file, k + 1, p.classIndex(), p.label(),
                            p.probability(), k == 0 ? map : "");
                }
            });
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
        System.out.println(photos.size() + " photos explained into " + out.toAbsolutePath());
    }
}
