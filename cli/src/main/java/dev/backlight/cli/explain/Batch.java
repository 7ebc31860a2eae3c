package dev.backlight.cli.explain;

import dev.backlight.api.Tensor;
import java.util.ArrayList;
import java.util.List;

/**
 * Inputs that run through the network together: up to {@code --batch-size} images (all 224×224
 * after preprocessing), or the whole of one {@code .npy} array.
 *
 * @param inputs the loaded inputs, in batch order
 * @param names their output names, parallel to {@code inputs}
 * @param pixels their images concatenated, {@code [N, 3, H, W]}
 */
record Batch(List<InputFile> inputs, List<OutputNames> names, Tensor pixels) {
    Batch {
        inputs = List.copyOf(inputs);
        names = List.copyOf(names);
    }

    /**
     * An input to explain, not read yet, with its output names.
     *
     * @param spec the file
     * @param names its outputs
     */
    record Planned(InputSpec spec, OutputNames names) {
    }

    /** The number of images. */
    int count() {
        return pixels.shape().dim(0);
    }

    /**
     * Groups the inputs: images in input order, {@code maxImages} at a time, then each array on its
     * own (an array is one batch, whatever its size).
     */
    static List<List<Planned>> plan(List<Planned> inputs, int maxImages) {
        List<List<Planned>> groups = new ArrayList<>();
        List<Planned> images = new ArrayList<>();
        for (Planned p : inputs) {
            if (p.spec().kind() == InputFile.Kind.IMAGE) {
                images.add(p);
                if (images.size() == maxImages) {
                    groups.add(List.copyOf(images));
                    images.clear();
                }
            }
        }
        if (!images.isEmpty()) {
            groups.add(List.copyOf(images));
        }
        for (Planned p : inputs) {
            if (p.spec().kind() == InputFile.Kind.ARRAY) {
                groups.add(List.of(p));
            }
        }
        return groups;
    }

    /** The loaded inputs of one group as a batch; {@code inputs} must not be empty. */
    static Batch of(List<InputFile> inputs, List<OutputNames> names) {
        List<Tensor> parts = new ArrayList<>(inputs.size());
        inputs.forEach(input -> parts.add(input.pixels()));
        return new Batch(inputs, names, parts.size() == 1 ? parts.get(0) : Tensor.concat(parts));
    }
}
