package dev.backlight.api.method;

import dev.backlight.api.Shape;
import dev.backlight.api.Tensor;
import dev.backlight.api.backend.CompiledModel;
import dev.backlight.api.rule.BuiltinRule;
import dev.backlight.api.rule.ReluRule;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * Grad-CAM (Selvaraju et al. 2017) on a named layer: {@code ReLU(Σ_k α_k A_k)} with
 * {@code α_k} the spatial mean of the target logit's gradient at channel k of the layer's output
 * A, bilinearly upsampled (PyTorch's {@code align_corners=False}) to the input size. Maps are
 * {@code [N, 1, H, W]}.
 *
 * <p>The default layer is {@code features.relu5}, DenseNet's last feature map (the output of the
 * final ReLU, which feeds the global average pool); there Grad-CAM coincides with CAM. The model
 * must be compiled observing the layer ({@link #observedNodes()}). Cost: one forward, one
 * backward per rank.
 */
public class GradCam implements AttributionMethod {
    /** DenseNet's last feature map. */
    public static final String DEFAULT_LAYER = "features.relu5";

    private final String layer;

    /** Grad-CAM on {@link #DEFAULT_LAYER}. */
    public GradCam() {
        this(DEFAULT_LAYER);
    }

    /** Grad-CAM on the output of the named graph node (a {@code [C, h, w]} feature map). */
    public GradCam(String layer) {
        this.layer = Objects.requireNonNull(layer, "layer");
    }

    /** The layer explained. */
    public String layer() {
        return layer;
    }

    @Override
    public String id() {
        return "grad-cam";
    }

    @Override
    public String description() {
        return "Grad-CAM on " + layer + ", upsampled to the input";
    }

    @Override
    public java.util.List<ReluRule> rules() {
        return java.util.List.of(BuiltinRule.VANILLA);
    }

    @Override
    public Set<String> observedNodes() {
        return Set.of(layer);
    }

    @Override
    public Attribution attribute(CompiledModel model, Tensor input, Target target) {
        Tensor logits = model.forward(input);
        int[][] classes = target.resolve(logits);
        List<Tensor> maps = new ArrayList<>();
        for (int r = 0; r < classes[0].length; r++) {
            model.backward(ReluRuleMethod.oneHot(classes, r, logits.shape().dim(1)), BuiltinRule.VANILLA);
            maps.add(camFromLastBackward(model, input.shape()));
        }
        return new Attribution(id(), model.backendName(), logits, classes, maps);
    }

    /** The upsampled CAM of the layer's activation and of its gradient in the last backward pass. */
    Tensor camFromLastBackward(CompiledModel model, Shape inputShape) {
        Tensor a = model.activation(layer);
        Tensor g = model.gradient(layer);
        if (a.shape().rank() != 4) {
            throw new IllegalArgumentException("Grad-CAM needs a [C, h, w] feature map; " + layer + " gives " + a.shape());
        }
        int n = a.shape().dim(0);
        int c = a.shape().dim(1);
        int plane = a.shape().dim(2) * a.shape().dim(3);
        float[] cam = new float[n * plane];
        for (int i = 0; i < n; i++) {
            for (int k = 0; k < c; k++) {
                int o = (i * c + k) * plane;
                double alpha = 0;
                for (int p = 0; p < plane; p++) {
                    alpha += g.data()[o + p];
                }
                alpha /= plane;
                for (int p = 0; p < plane; p++) {
                    cam[i * plane + p] += (float) (alpha * a.data()[o + p]);
                }
            }
        }
        for (int q = 0; q < cam.length; q++) {
            cam[q] = Math.max(cam[q], 0f);
        }
        Tensor small = Tensor.of(Shape.of(n, 1, a.shape().dim(2), a.shape().dim(3)), cam);
        return MapMath.resizeBilinear(small, inputShape.dim(2), inputShape.dim(3));
    }
}
