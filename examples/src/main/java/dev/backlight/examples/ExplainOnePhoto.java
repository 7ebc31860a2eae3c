package dev.backlight.examples;

import dev.backlight.Explainer;
import dev.backlight.Explanation;
import dev.backlight.densenet.imagenet.Prediction;
import java.nio.file.Path;

/**
 * One photo to an overlay picture, a raw map and the top-5 classes: the README's example.
 * Run: {@code ExplainOnePhoto PHOTO [OUT_DIR]}.
 */
public final class ExplainOnePhoto {
    private ExplainOnePhoto() {
    }

    /** Explains {@code args[0]} and writes its pictures into {@code args[1]} (default: the current folder). */
    public static void main(String[] args) {
        Path photo = Path.of(args.length > 0 ? args[0] : "lion.jpg");
        Path out = Path.of(args.length > 1 ? args[1] : ".");
        try (Explainer explainer = Explainer.builder()
                .model("densenet201")            // default; densenet121/161/169 too
                .randomWeights(0)                // or .weights(Path) or .pretrained() (the default)
                .method("guided-backprop")       // any id AttributionMethods knows, with its options
                .backend("cpu")                  // default "auto"
                .build()) {
            Explanation e = explainer.explain(photo);                          // the top-1 class
            for (Prediction p : e.top(5)) {
                System.out.printf("%4d %-30s %.4f%n", p.classIndex(), p.label(), p.probability());
            }
            e.savePicture(out.resolve("lion.overlay.png"), "overlay");          // gray|heatmap|overlay|rgb
            e.saveNpy(out.resolve("lion.npy"));
            Explanation c = explainer.explain(photo, 291);                     // a chosen class
            c.savePicture(out.resolve("lion.291.heatmap.png"), "heatmap");
            System.out.println("explained class " + e.targetClass() + " (" + e.targetLabel() + ") and class "
                    + c.targetClass() + " (" + c.targetLabel() + "); pictures in " + out.toAbsolutePath());
        }
    }
}
