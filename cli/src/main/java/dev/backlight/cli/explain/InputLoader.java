package dev.backlight.cli.explain;

import dev.backlight.Explainer;
import dev.backlight.PreparedImage;
import dev.backlight.api.InputFormatException;
import dev.backlight.api.Shape;
import dev.backlight.api.Tensor;
import dev.backlight.api.io.Npy;
import dev.backlight.densenet.imagenet.ImageLoader;
import dev.backlight.densenet.imagenet.ImageNetPreprocessor;
import dev.backlight.densenet.imagenet.ImageTooLargeException;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Reads and checks one input of {@code explain}: an image is prepared by the library's
 * {@link Explainer#prepare(Path)} (decoded upright, transparency on the background colour,
 * preprocessed as torchvision does), exactly as an application's {@code explain(Path)} would; an
 * array must be float32 {@code [N, 3, H, W]} with H and W at least {@value #MIN_SIDE} and finite
 * values. An image that declares more pixels than the limit is refused before it is decoded (a
 * decompression bomb), with a message naming {@code --max-pixels}.
 */
public final class InputLoader {
    /** The smallest height and width DenseNet's five downsamplings accept. */
    static final int MIN_SIDE = 32;

    private final Explainer explainer;

    InputLoader(Explainer explainer) {
        this.explainer = explainer;
    }

    /**
     * Loads the input {@code path}, its kind told by its extension.
     *
     * @throws InputFormatException naming the input and why it cannot be used
     */
    InputFile load(Path path) {
        return load(new InputSpec(path, Path.of(""), InputFile.Kind.of(path)));
    }

    /**
     * Loads one input.
     *
     * @throws InputFormatException naming the input and why it cannot be used
     */
    InputFile load(InputSpec spec) {
        long start = System.nanoTime();
        if (spec.kind() == InputFile.Kind.ARRAY) {
            Tensor array = array(spec);
            return new InputFile(spec, array, null, System.nanoTime() - start);
        }
        try {
            PreparedImage image = explainer.prepare(spec.path());
            return new InputFile(spec, image.pixels(), image, System.nanoTime() - start);
        } catch (ImageTooLargeException e) {
            throw new InputFormatException(String.format(Locale.ROOT, "%s declares a %dx%d image (%,d pixels), more"
                    + " than the limit of %,d pixels, and was not decoded (a guard against decompression bombs); if"
                    + " you trust the file, raise the limit with --max-pixels %d", spec.path(), e.width(), e.height(),
                    e.pixels(), e.limit(), e.pixels()), e);
        }
    }

    /**
     * The network input of one file for commands that need only the pixels ({@code sanity}): an image
     * decoded and preprocessed as {@link Explainer#prepare(Path)} does with the default background
     * and pixel limit, or a checked {@code .npy} array.
     *
     * @throws InputFormatException naming the input and why it cannot be used
     */
    public static Tensor readPixels(Path path) {
        InputSpec spec = new InputSpec(path, Path.of(""), InputFile.Kind.of(path));
        if (spec.kind() == InputFile.Kind.ARRAY) {
            return array(spec);
        }
        ImageNetPreprocessor preprocessor = ImageNetPreprocessor.standard();
        return preprocessor.normalise(preprocessor.resizeAndCrop(ImageLoader.read(path)));
    }

    private static Tensor array(InputSpec spec) {
        Tensor t = Npy.read(spec.path());
        Shape s = t.shape();
        if (s.rank() != 4 || s.dim(1) != 3 || s.dim(0) < 1 || s.dim(2) < MIN_SIDE || s.dim(3) < MIN_SIDE) {
            throw new InputFormatException(spec.path() + " holds an array of shape " + s + "; explain needs float32"
                    + " [N, 3, H, W] (N >= 1 normalised RGB images, H and W at least " + MIN_SIDE + ")");
        }
        float[] v = t.data();
        for (int i = 0; i < v.length; i++) {
            if (!Float.isFinite(v[i])) {
                throw new InputFormatException(spec.path() + " holds a non-finite value (" + v[i] + ") at flat index "
                        + i + "; inputs must be finite normalised pixel values");
            }
        }
        return t;
    }
}
