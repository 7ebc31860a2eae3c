package dev.backlight.densenet.imagenet;

import java.util.Locale;

/**
 * The names of a classifier's output classes, by index: ImageNet's 1000 for the pretrained
 * DenseNets ({@link #imagenet()}), or those of a fine-tuned model. Implementations are immutable
 * and safe to share between threads.
 */
public interface ClassLabels {

    /** The number of classes named. */
    int size();

    /**
     * The name of class {@code index}.
     *
     * @throws IllegalArgumentException if {@code index} is outside {@code [0, size())}
     */
    String name(int index);

    /** The 1000 ImageNet-1k class names in torchvision's order. */
    static ClassLabels imagenet() {
        return ImageNetLabels.load();
    }

    /**
     * Classes named by their index only ({@code class 0}, {@code class 1}, ...): for a model whose
     * classes have no names given.
     *
     * @throws IllegalArgumentException if {@code count} is not positive
     */
    static ClassLabels indices(int count) {
        if (count < 1) {
            throw new IllegalArgumentException("a classifier has at least one class, got " + count);
        }
        return new ClassLabels() {
            @Override
            public int size() {
                return count;
            }

            @Override
            public String name(int index) {
                if (index < 0 || index >= count) {
                    throw new IllegalArgumentException("class index " + index + " is outside [0, " + (count - 1) + "]");
                }
                return String.format(Locale.ROOT, "class %d", index);
            }
        };
    }

    /**
     * The default names for a model of {@code classes} outputs: ImageNet's for 1000, indices otherwise.
     */
    static ClassLabels forClassCount(int classes) {
        return classes == ImageNetLabels.CLASS_COUNT ? imagenet() : indices(classes);
    }
}
