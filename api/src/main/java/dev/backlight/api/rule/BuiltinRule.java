package dev.backlight.api.rule;

/**
 * The three classic ReLU backward rules. Forward passes are identical; only the backward of each
 * ReLU differs. Backends recognise these constants and run them with fused native kernels.
 */
public enum BuiltinRule implements ReluRule {
    /** The true gradient: {@code dx = dy · [x > 0]} (saliency / vanilla gradient). */
    VANILLA("vanilla") {
        @Override
        public float apply(float x, float dy) {
            return x > 0f ? dy : 0f;
        }
    },
    /** Deconvnet (Zeiler and Fergus 2014): {@code dx = max(dy, 0)}; the forward mask is ignored. */
    DECONVNET("deconvnet") {
        @Override
        public float apply(float x, float dy) {
            return dy > 0f ? dy : 0f;
        }
    },
    /** Guided Backpropagation (Springenberg et al. 2015): {@code dx = max(dy, 0) · [x > 0]}. */
    GUIDED("guided") {
        @Override
        public float apply(float x, float dy) {
            return x > 0f && dy > 0f ? dy : 0f;
        }
    };

    private final String id;

    BuiltinRule(String id) {
        this.id = id;
    }

    @Override
    public String id() {
        return id;
    }

    /**
     * The rule for one element: the gradient passed to a ReLU input {@code x} from the gradient
     * {@code dy} at its output.
     */
    public abstract float apply(float x, float dy);

    @Override
    public void backward(ReluSite site, float[] x, float[] dy, float[] dx) {
        int n = site.elements();
        for (int i = 0; i < n; i++) {
            dx[i] = apply(x[i], dy[i]);
        }
    }
}
