package dev.backlight.cli;

import dev.backlight.api.Tensor;
import java.util.ArrayList;
import java.util.List;

/**
 * Inputs that run through the network together: up to {@code maxImages} images (all 224×224 after
 * preprocessing), or the whole of one {@code .npy} array.
 *
 * @param inputs the inputs, in batch order
 * @param names their output names, parallel to {@code inputs}
 * @param pixels their images concatenated, {@code [N, 3, H, W]}
 */
record Batch(List<InputFile> inputs, List<OutputNames> names, Tensor pixels) {
    Batch {
        inputs = List.copyOf(inputs);
        names = List.copyOf(names);
    }

    /** The number of images. */
    int count() {
        return pixels.shape().dim(0);
    }

    /**
     * Groups the inputs: images in input order, {@code maxImages} at a time, then each array on its
     * own (an array is one batch, whatever its size).
     *
     * @param names output names parallel to {@code inputs}
     */
    static List<Batch> plan(List<InputFile> inputs, List<OutputNames> names, int maxImages) {
        List<Batch> batches = new ArrayList<>();
        List<InputFile> images = new ArrayList<>();
        List<OutputNames> imageNames = new ArrayList<>();
        for (int i = 0; i < inputs.size(); i++) {
            if (inputs.get(i).kind() == InputFile.Kind.IMAGE) {
                images.add(inputs.get(i));
                imageNames.add(names.get(i));
                if (images.size() == maxImages) {
                    batches.add(of(images, imageNames));
                    images.clear();
                    imageNames.clear();
                }
            }
        }
        if (!images.isEmpty()) {
            batches.add(of(images, imageNames));
        }
        for (int i = 0; i < inputs.size(); i++) {
            if (inputs.get(i).kind() == InputFile.Kind.ARRAY) {
                batches.add(new Batch(List.of(inputs.get(i)), List.of(names.get(i)), inputs.get(i).pixels()));
            }
        }
        return batches;
    }

    private static Batch of(List<InputFile> inputs, List<OutputNames> names) {
        List<Tensor> parts = new ArrayList<>(inputs.size());
        inputs.forEach(input -> parts.add(input.pixels()));
        return new Batch(inputs, names, parts.size() == 1 ? parts.get(0) : Tensor.concat(parts));
    }
}
