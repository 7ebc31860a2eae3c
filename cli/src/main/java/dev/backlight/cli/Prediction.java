package dev.backlight.cli;

import dev.backlight.api.Tensor;
import dev.backlight.densenet.imagenet.ImageNetLabels;
import java.util.ArrayList;
import java.util.List;

/**
 * One ranked class of one image: its index, ImageNet label and softmax probability.
 *
 * @param classIndex the class, 0..999
 * @param label its ImageNet name
 * @param probability the softmax of the logits, in [0, 1]
 */
record Prediction(int classIndex, String label, double probability) {

    /**
     * The {@code k} most probable classes of row {@code image} of {@code logits} {@code [N, classes]},
     * best first (ties to the lower index); the softmax is computed in double precision.
     */
    static List<Prediction> top(Tensor logits, int image, int k, ImageNetLabels labels) {
        int classes = logits.shape().dim(1);
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
        List<Prediction> top = new ArrayList<>(k);
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
        return top;
    }
}
