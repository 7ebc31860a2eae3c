package dev.backlight.examples;

import dev.backlight.Explainer;
import dev.backlight.Explanation;
import dev.backlight.api.method.AttributionMethods;
import java.nio.file.Path;

/**
 * A research rule plugged in from the application's own jar: {@link PositiveInputRuleProvider}
 * publishes a ReLU rule and a method using it through {@code META-INF/services}, so the method is
 * found by id like a built-in one, and the backend chosen is one that can run it (the CPU backend;
 * the CUDA backend runs only the built-in rules). Run: {@code CustomRuleExample PHOTO [OUT_DIR]}.
 */
public final class CustomRuleExample {
    private CustomRuleExample() {
    }

    /** Explains {@code args[0]} with the {@code positive-input} method. */
    public static void main(String[] args) {
        Path photo = Path.of(args.length > 0 ? args[0] : "lion.jpg");
        Path out = Path.of(args.length > 1 ? args[1] : ".");
        System.out.println("methods found: " + AttributionMethods.ids());
        try (Explainer explainer = Explainer.builder().model("densenet121").randomWeights(0)
                .method(PositiveInputRuleProvider.METHOD_ID).build()) {
            Explanation e = explainer.explain(photo);
            e.savePicture(out.resolve("lion.positive-input.heatmap.png"), "heatmap");
            System.out.println(e.method() + " on backend " + e.backend() + ": class " + e.targetClass() + " ("
                    + e.targetLabel() + ")");
        }
    }
}
