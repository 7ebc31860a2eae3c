package dev.backlight.densenet.imagenet;

import dev.backlight.api.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * One ranked class of one image: its index, name and softmax probability.
 *
 * @param classIndex the class, {@code 0 .. classes - 1}
 * @param label its name (see {@link ClassLabels})
 * @param probability the softmax of the image's logits at this class, in [0, 1]
 */
public record Prediction(int classIndex, String label, double probability) {
    public Prediction {
        Objects.requireNonNull(label, "label");
    }

    /**
     * The {@code k} most probable classes of row {@code image} of {@code logits} {@code [N, classes]},
     * best first (ties to the lower index); the softmax is computed in double precision. Fewer than
     * {@code k} when the model has fewer classes.
     *
     * @throws IllegalArgumentException if {@code logits} is not {@code [N, classes]}, {@code image}
     *     is not a row of it, {@code k} is not positive, or {@code labels} names fewer classes
     */
    public static List<Prediction> top(Tensor logits, int image, int k, ClassLabels labels) {
        if (logits.shape().rank() != 2) {
            throw new IllegalArgumentException("logits must be [N, classes], got " + logits.shape());
        }
        int rows = logits.shape().dim(0);
        int classes = logits.shape().dim(1);
        if (image < 0 || image >= rows) {
            throw new IllegalArgumentException("image " + image + " is not a row of logits " + logits.shape());
        }
        if (k < 1) {
            throw new IllegalArgumentException("k must be positive, got " + k);
        }
        if (labels.size() < classes) {
            throw new IllegalArgumentException("the labels name " + labels.size() + " classes but the model has " + classes);
        }
        float[] z = logits.data();
        int base = image * classes;
        double max = Double.NEGATIVE_INFINITY;
        for (int c = 0; c < classes; c++) {
            max = Math.max(max, z[base + c]);
        }
        double sum = 0;
        for (int c = 0; c < classes; c++) {
            sum += Math.exp(z[base + c] - max);
        }
        boolean[] taken = new boolean[classes];
        List<Prediction> top = new ArrayList<>(Math.min(k, classes));
        for (int r = 0; r < Math.min(k, classes); r++) {
            int best = -1;
            for (int c = 0; c < classes; c++) {
                if (!taken[c] && (best < 0 || z[base + c] > z[base + best])) {
                    best = c;
                }
            }
            taken[best] = true;
            top.add(new Prediction(best, labels.name(best), Math.exp(z[base + best] - max) / sum));
        }
        return List.copyOf(top);
    }
}
