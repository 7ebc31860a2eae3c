package dev.backlight.api.method;

import dev.backlight.api.Tensor;
import dev.backlight.api.backend.CompiledModel;
import dev.backlight.api.rule.BuiltinRule;
import dev.backlight.api.rule.ReluRule;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Guided Grad-CAM (Selvaraju et al. 2017): the Guided Backpropagation map multiplied, per pixel
 * and for every channel, by the upsampled Grad-CAM map. Maps are {@code [N, C, H, W]}. Cost: one
 * forward and two backward passes per rank.
 */
public final class GuidedGradCam implements AttributionMethod {
    private final GradCam gradCam;

    /** On {@link GradCam#DEFAULT_LAYER}. */
    public GuidedGradCam() {
        this(GradCam.DEFAULT_LAYER);
    }

    /** On the output of the named node. */
    public GuidedGradCam(String layer) {
        this.gradCam = new GradCam(layer);
    }

    @Override
    public String id() {
        return "guided-grad-cam";
    }

    @Override
    public String description() {
        return "Guided Backprop x Grad-CAM on " + gradCam.layer();
    }

    @Override
    public java.util.List<ReluRule> rules() {
        return java.util.List.of(BuiltinRule.GUIDED, BuiltinRule.VANILLA);
    }

    @Override
    public Set<String> observedNodes() {
        return gradCam.observedNodes();
    }

    @Override
    public Attribution attribute(CompiledModel model, Tensor input, Target target) {
        Tensor logits = model.forward(input);
        int[][] classes = target.resolve(logits);
        int numClasses = logits.shape().dim(1);
        List<Tensor> maps = new ArrayList<>();
        for (int r = 0; r < classes[0].length; r++) {
            Tensor seed = ReluRuleMethod.oneHot(classes, r, numClasses);
            model.backward(seed, BuiltinRule.VANILLA);
            Tensor cam = gradCam.camFromLastBackward(model, input.shape());
            Tensor guided = model.backward(seed, BuiltinRule.GUIDED);
            int n = guided.shape().dim(0);
            int c = guided.shape().dim(1);
            int plane = guided.size() / (n * c);
            float[] out = new float[guided.size()];
            for (int q = 0; q < out.length; q++) {
                int i = q / (c * plane);
                out[q] = guided.data()[q] * cam.data()[i * plane + q % plane];
            }
            maps.add(Tensor.of(guided.shape(), out));
        }
        return new Attribution(id(), model.backendName(), logits, classes, maps);
    }
}
