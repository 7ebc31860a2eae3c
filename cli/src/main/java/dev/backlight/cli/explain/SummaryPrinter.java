package dev.backlight.cli.explain;

import dev.backlight.api.method.Attribution;
import dev.backlight.densenet.imagenet.ClassLabels;
import dev.backlight.densenet.imagenet.Prediction;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Prints, for every image of an input, a header naming the explained classes and the five most
 * probable classes with their probabilities:
 *
 * <pre>
 * photo.jpg  (guided-backprop, class 291 lion, backend cpu)
 *   1.  291 lion                      0.8134
 * </pre>
 *
 * Images of an array input are named {@code x.npy[i]}.
 */
final class SummaryPrinter {
    private final PrintWriter out;
    private final ExplainContext context;
    private final ClassLabels labels;

    SummaryPrinter(PrintWriter out, ExplainContext context, ClassLabels labels) {
        this.out = out;
        this.context = context;
        this.labels = labels;
    }

    /** Prints the summary of every image of {@code result}. */
    void print(InputResult result) {
        Attribution a = result.attribution();
        String file = InputFile.fileName(result.input().path());
        for (int i = 0; i < a.batchSize(); i++) {
            String name = result.input().kind() == InputFile.Kind.ARRAY ? file + "[" + i + "]" : file;
            out.println(name + "  (" + context.method() + ", " + targets(a, i) + ", backend " + context.backend() + ")");
            List<Prediction> top = result.top5().get(i);
            for (int r = 0; r < top.size(); r++) {
                Prediction p = top.get(r);
                out.println(String.format(Locale.ROOT, "  %d.  %3d %-25s %.4f", r + 1, p.classIndex(), p.label(), p.probability()));
            }
        }
        out.flush();
    }

    private String targets(Attribution a, int image) {
        List<String> classes = new ArrayList<>();
        for (int r = 0; r < a.perImage(); r++) {
            int c = a.targetClass(image, r);
            classes.add(c + " " + labels.name(c));
        }
        return (classes.size() == 1 ? "class " : "classes ") + String.join(", ", classes);
    }
}
