package dev.backlight.cli;

import dev.backlight.api.InputFormatException;
import dev.backlight.api.Shape;
import dev.backlight.api.Tensor;
import dev.backlight.api.io.Npy;
import dev.backlight.densenet.imagenet.ImageLoader;
import dev.backlight.densenet.imagenet.ImageNetPreprocessor;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads and checks every input of {@code explain} before anything is computed: images are decoded
 * and preprocessed as torchvision does (resize 256, centre crop 224, normalise); arrays must be
 * float32 {@code [N, 3, H, W]} with H and W at least {@value #MIN_SIDE} and finite values.
 */
final class InputLoader {
    /** The smallest height and width DenseNet's five downsamplings accept. */
    static final int MIN_SIDE = 32;

    private final ImageNetPreprocessor preprocessor;

    InputLoader(ImageNetPreprocessor preprocessor) {
        this.preprocessor = preprocessor;
    }

    /**
     * Loads every input, in order.
     *
     * @throws InputFormatException naming the first input that cannot be used and why
     */
    List<InputFile> loadAll(List<Path> paths) {
        List<InputFile> inputs = new ArrayList<>(paths.size());
        for (Path path : paths) {
            inputs.add(load(path));
        }
        return inputs;
    }

    /** Loads one input; see {@link #loadAll}. */
    InputFile load(Path path) {
        InputFile.Kind kind = InputFile.Kind.of(path);
        Tensor pixels = kind == InputFile.Kind.IMAGE ? image(path) : array(path);
        return new InputFile(path, kind, pixels);
    }

    private Tensor image(Path path) {
        BufferedImage image = ImageLoader.read(path);
        try {
            return preprocessor.toTensor(image);
        } catch (IllegalArgumentException e) {
            throw new InputFormatException("cannot preprocess image " + path + ": " + e.getMessage(), e);
        }
    }

    private static Tensor array(Path path) {
        Tensor t = Npy.read(path);
        Shape s = t.shape();
        if (s.rank() != 4 || s.dim(1) != 3 || s.dim(0) < 1 || s.dim(2) < MIN_SIDE || s.dim(3) < MIN_SIDE) {
            throw new InputFormatException(path + " holds an array of shape " + s + "; explain needs float32 [N, 3, H, W]"
                    + " (N >= 1 normalised RGB images, H and W at least " + MIN_SIDE + ")");
        }
        float[] v = t.data();
        for (int i = 0; i < v.length; i++) {
            if (!Float.isFinite(v[i])) {
                throw new InputFormatException(path + " holds a non-finite value (" + v[i] + ") at flat index " + i
                        + "; inputs must be finite normalised pixel values");
            }
        }
        return t;
    }
}
