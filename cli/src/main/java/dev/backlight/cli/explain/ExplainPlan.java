package dev.backlight.cli.explain;

import dev.backlight.WeightsSource;
import dev.backlight.api.backend.BackendOptions;
import dev.backlight.api.backend.BackendSelection;
import dev.backlight.api.method.AttributionMethod;
import dev.backlight.api.method.Target;
import dev.backlight.densenet.DenseNetConfig;
import dev.backlight.render.MapStyle;
import dev.backlight.render.PictureKind;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * An {@code explain} run with every option checked: what to compute, on which inputs, where the
 * files go and how they look. Building it reads no file content and computes nothing.
 *
 * @param weights where the weights come from
 * @param config the DenseNet
 * @param method the attribution method
 * @param target which classes are explained
 * @param backend the selected backend
 * @param backendOptions threads, device and precision of the backend
 * @param out the output folder
 * @param inputs the input files with their output names, in order
 * @param failures the arguments that named nothing usable
 * @param style how maps are drawn
 * @param renders which pictures are drawn
 * @param run the batching, resume, raw-output, report and progress options
 * @param fullSize whether maps are also placed on the whole source image
 * @param grid whether a contact sheet is written
 * @param background the colour under transparent pixels, {@code 0xRRGGBB}
 * @param maxPixels the most pixels an image may declare ({@code --max-pixels})
 * @param methodOptions the method's options as given, by name ({@code samples=20})
 * @param labels the labels file ({@code --labels}), or null
 * @param preprocess the preprocessing's name ({@code --preprocess})
 */
record ExplainPlan(WeightsSource weights, DenseNetConfig config, AttributionMethod method, Target target,
                   BackendSelection backend, BackendOptions backendOptions, Path out, List<Batch.Planned> inputs,
                   List<InputFailure> failures, MapStyle style, Set<PictureKind> renders, RunOptions run,
                   boolean fullSize, boolean grid, int background, long maxPixels, Map<String, String> methodOptions,
                   Path labels, String preprocess) {
    ExplainPlan {
        Objects.requireNonNull(weights, "weights");
        Objects.requireNonNull(config, "config");
        Objects.requireNonNull(method, "method");
        Objects.requireNonNull(target, "target");
        Objects.requireNonNull(backend, "backend");
        Objects.requireNonNull(out, "out");
        inputs = List.copyOf(inputs);
        failures = List.copyOf(failures);
        Objects.requireNonNull(style, "style");
        renders = Set.copyOf(renders);
        Objects.requireNonNull(run, "run");
        methodOptions = Map.copyOf(methodOptions);
        if (maxPixels < 1) {
            throw new IllegalArgumentException("maxPixels must be positive, was " + maxPixels);
        }
    }

    /** How reports name the target: {@code top-1}, {@code top-3}, {@code class 5}. */
    String targetDescription() {
        return target instanceof Target.Classes c ? "class " + c.perImageClasses()[0] : "top-" + target.perImage();
    }
}
