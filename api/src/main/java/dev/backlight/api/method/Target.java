package dev.backlight.api.method;

import dev.backlight.api.Tensor;
import java.util.Arrays;

/**
 * Which output classes to explain for each image of a batch.
 *
 * <p>{@link #top1()} (the default) explains each image's highest logit; {@link #topK(int)} the k
 * highest, in descending order, from one forward pass; {@link #classes(int...)} one given class
 * per image (a single value applies to every image).
 */
public sealed interface Target permits Target.TopK, Target.Classes, Target.Ranked {

    /** Each image's top-1 class. */
    static Target top1() {
        return new TopK(1);
    }

    /** Each image's k highest-scoring classes, best first. */
    static Target topK(int k) {
        return new TopK(k);
    }

    /** One class per image; a single class applies to every image of the batch. */
    static Target classes(int... perImage) {
        return new Classes(perImage.clone());
    }

    /** Explicit classes per image and rank: {@code classes[i][r]}; every image has the same number of ranks. */
    static Target ranked(int[][] classes) {
        return new Ranked(classes);
    }

    /**
     * Resolves the target classes against a forward pass.
     *
     * @param logits {@code [N, classes]}
     * @return {@code [N][k]} class indices
     * @throws IllegalArgumentException if a class index is out of range, k exceeds the number of
     *     classes, or the per-image list does not match the batch size
     */
    int[][] resolve(Tensor logits);

    /** Number of classes explained per image. */
    int perImage();

    /** The k highest classes of each image, ties broken by the lower index. */
    record TopK(int k) implements Target {
        public TopK {
            if (k < 1) {
                throw new IllegalArgumentException("top-k needs k >= 1, got " + k);
            }
        }

        @Override
        public int perImage() {
            return k;
        }

        @Override
        public int[][] resolve(Tensor logits) {
            int n = logits.shape().dim(0);
            int classes = logits.size() / Math.max(n, 1);
            if (k > classes) {
                throw new IllegalArgumentException("top-" + k + " asked of a model with " + classes + " classes");
            }
            float[] z = logits.data();
            int[][] out = new int[n][k];
            for (int i = 0; i < n; i++) {
                boolean[] taken = new boolean[classes];
                for (int r = 0; r < k; r++) {
                    int best = -1;
                    for (int c = 0; c < classes; c++) {
                        if (!taken[c] && (best < 0 || z[i * classes + c] > z[i * classes + best])) {
                            best = c;
                        }
                    }
                    taken[best] = true;
                    out[i][r] = best;
                }
            }
            return out;
        }
    }

    /** Explicit classes, one per image (or one for all). */
    record Classes(int[] perImageClasses) implements Target {
        public Classes {
            if (perImageClasses.length == 0) {
                throw new IllegalArgumentException("give at least one class index");
            }
            perImageClasses = perImageClasses.clone();
        }

        @Override
        public int perImage() {
            return 1;
        }

        @Override
        public int[][] resolve(Tensor logits) {
            int n = logits.shape().dim(0);
            int classes = logits.size() / Math.max(n, 1);
            if (perImageClasses.length != 1 && perImageClasses.length != n) {
                throw new IllegalArgumentException(perImageClasses.length + " target classes given for a batch of " + n
                        + " images; give one class per image or one for all");
            }
            int[][] out = new int[n][1];
            for (int i = 0; i < n; i++) {
                int c = perImageClasses[perImageClasses.length == 1 ? 0 : i];
                if (c < 0 || c >= classes) {
                    throw new IllegalArgumentException("class index " + c + " is out of range: the model has classes 0.." + (classes - 1));
                }
                out[i][0] = c;
            }
            return out;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Classes && Arrays.equals(perImageClasses, ((Classes) o).perImageClasses);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(perImageClasses);
        }

        @Override
        public String toString() {
            return "Classes" + Arrays.toString(perImageClasses);
        }
    }

    /** Explicit classes per image and rank (used by methods that expand a batch, e.g. SmoothGrad). */
    record Ranked(int[][] classes) implements Target {
        public Ranked {
            if (classes.length == 0 || classes[0].length == 0) {
                throw new IllegalArgumentException("give at least one class for one image");
            }
            int[][] copy = new int[classes.length][];
            for (int i = 0; i < classes.length; i++) {
                if (classes[i].length != classes[0].length) {
                    throw new IllegalArgumentException("every image needs the same number of target ranks");
                }
                copy[i] = classes[i].clone();
            }
            classes = copy;
        }

        @Override
        public int perImage() {
            return classes[0].length;
        }

        @Override
        public int[][] resolve(Tensor logits) {
            int n = logits.shape().dim(0);
            int numClasses = logits.size() / Math.max(n, 1);
            if (classes.length != n) {
                throw new IllegalArgumentException(classes.length + " images' targets given for a batch of " + n);
            }
            int[][] out = new int[n][];
            for (int i = 0; i < n; i++) {
                for (int c : classes[i]) {
                    if (c < 0 || c >= numClasses) {
                        throw new IllegalArgumentException("class index " + c + " is out of range: the model has classes 0.." + (numClasses - 1));
                    }
                }
                out[i] = classes[i].clone();
            }
            return out;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Ranked && Arrays.deepEquals(classes, ((Ranked) o).classes);
        }

        @Override
        public int hashCode() {
            return Arrays.deepHashCode(classes);
        }

        @Override
        public String toString() {
            return "Ranked" + Arrays.deepToString(classes);
        }
    }
}
