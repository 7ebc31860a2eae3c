package dev.backlight.cli;

import java.util.Objects;

/**
 * What one {@code explain} run computes, for reports and printouts.
 *
 * @param model the DenseNet, such as {@code densenet201}
 * @param weights where the weights came from
 * @param method the attribution method's id
 * @param target which classes are explained: {@code top-1}, {@code top-3}, {@code class 5}
 * @param backend the backend's name
 */
record ExplainContext(String model, WeightsSource weights, String method, String target, String backend) {
    ExplainContext {
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(weights, "weights");
        Objects.requireNonNull(method, "method");
        Objects.requireNonNull(target, "target");
        Objects.requireNonNull(backend, "backend");
    }
}
