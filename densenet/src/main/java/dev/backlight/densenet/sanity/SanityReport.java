package dev.backlight.densenet.sanity;

import dev.backlight.api.Tensor;
import java.util.List;

/**
 * The outcome of a model-parameter randomization test.
 *
 * <p>How to read it: a map that explains the model must change when the model's weights are
 * replaced by random ones. Similarities that fall towards 0 as more layers are randomized mean
 * the map depends on the learned weights (vanilla gradients do). Similarities that stay high
 * mean the map mostly reflects the input and the architecture — Adebayo et al. (2018) found this
 * for Guided Backpropagation, which keeps reconstructing image edges from random weights.
 *
 * @param method the attribution method id
 * @param mode cascading (top layer down, accumulating) or independent (one layer at a time)
 * @param targetClasses the explained class of each image, fixed by the original model
 * @param original the original model's maps {@code [N, C, H, W]}
 * @param steps one entry per randomization step, in order
 * @param maps the maps at each step, parallel to {@code steps}
 */
public record SanityReport(String method, ModelRandomization.Mode mode, int[] targetClasses, Tensor original,
                           List<RandomizationStep> steps, List<Tensor> maps) {
    public SanityReport {
        steps = List.copyOf(steps);
        maps = List.copyOf(maps);
        targetClasses = targetClasses.clone();
    }
}
