package dev.backlight.cli.explain;

import dev.backlight.densenet.imagenet.ClassLabels;
import java.util.Objects;
import java.util.Optional;

/**
 * What one {@code explain} run computes, for reports and printouts.
 *
 * @param model the DenseNet, such as {@code densenet201}
 * @param weights where the weights came from (a path, {@code random:SEED}, the pretrained URL)
 * @param warning the warning every output of these weights carries, if any
 * @param method the attribution method's id
 * @param target which classes are explained: {@code top-1}, {@code top-3}, {@code class 5}
 * @param backend the backend's name
 * @param labels the names of the model's classes
 */
record ExplainContext(String model, String weights, Optional<String> warning, String method, String target, String backend,
                      ClassLabels labels) {
    ExplainContext {
        Objects.requireNonNull(warning, "warning");
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(weights, "weights");
        Objects.requireNonNull(method, "method");
        Objects.requireNonNull(target, "target");
        Objects.requireNonNull(backend, "backend");
        Objects.requireNonNull(labels, "labels");
    }
}
