package dev.backlight.api.method;

import dev.backlight.api.Tensor;
import java.util.List;
import java.util.Map;

/**
 * The result of an attribution: the model output and one map per explained class.
 *
 * @param method the method's id
 * @param backend the backend that computed it
 * @param logits the model output {@code [N, classes]} for the (unperturbed) input
 * @param classes {@code classes[i][r]} is the r-th explained class of image i
 * @param maps {@code maps.get(r)} is {@code [N, C, H, W]}: for each image i, the attribution of
 *     class {@code classes[i][r]} with respect to the input (raw, no post-processing; C is 1 for
 *     class-activation maps such as Grad-CAM)
 * @param diagnostics method-specific figures, each {@code [N][ranks]}, e.g. Integrated Gradients'
 *     completeness check ({@code ig.sum}, {@code ig.delta}); empty for most methods
 */
public record Attribution(String method, String backend, Tensor logits, int[][] classes, List<Tensor> maps,
                          Map<String, double[][]> diagnostics) {
    public Attribution {
        maps = List.copyOf(maps);
        diagnostics = Map.copyOf(diagnostics);
    }

    /** An attribution without diagnostics. */
    public Attribution(String method, String backend, Tensor logits, int[][] classes, List<Tensor> maps) {
        this(method, backend, logits, classes, maps, Map.of());
    }

    /** Number of images. */
    public int batchSize() {
        return logits.shape().dim(0);
    }

    /** Number of classes explained per image. */
    public int perImage() {
        return maps.size();
    }

    /** The map of every image's r-th target, {@code [N, C, H, W]}. */
    public Tensor map(int rank) {
        return maps.get(rank);
    }

    /** The r-th target class of image i. */
    public int targetClass(int image, int rank) {
        return classes[image][rank];
    }
}
