package dev.backlight.densenet.imagenet;

import java.nio.file.Path;
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
     * The class names in a labels file (for a fine-tuned model): one label a line, a JSON list of
     * labels, or a JSON object from index to label ({@code {"0": "cat", "1": "dog"}}; Keras'
     * {@code imagenet_class_index.json}, whose values are {@code [wnid, label]}, works too). The
     * caller checks the count against the model with {@link #requireClassCount}.
     *
     * @throws LabelsFormatException if the file cannot be read or parsed, a label is empty, too long
     *     or holds a control character, or JSON indices do not run from 0 without gaps
     */
    static ClassLabels read(Path file) {
        return LabelsFile.read(file);
    }

    /**
     * {@code labels}, after checking that they name exactly the model's {@code classes} outputs.
     *
     * @throws LabelsFormatException if they name more or fewer, saying how many each has
     */
    static ClassLabels requireClassCount(ClassLabels labels, int classes) {
        if (labels.size() != classes) {
            String what = labels instanceof LabelsFile ? "labels file " + ((LabelsFile) labels).source() : "the labels";
            throw new LabelsFormatException(what + " names " + labels.size() + " classes but the model's classifier has "
                    + classes + " outputs; give one label per output, in the classifier's order");
        }
        return labels;
    }

    /**
     * The default names for a model of {@code classes} outputs: ImageNet's for 1000, indices otherwise.
     */
    static ClassLabels forClassCount(int classes) {
        return classes == ImageNetLabels.CLASS_COUNT ? imagenet() : indices(classes);
    }
}
