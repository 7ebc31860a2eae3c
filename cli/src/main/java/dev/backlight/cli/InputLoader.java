package dev.backlight.cli;

import dev.backlight.api.InputFormatException;
import dev.backlight.api.Shape;
import dev.backlight.api.Tensor;
import dev.backlight.api.io.Npy;
import dev.backlight.densenet.imagenet.CropBox;
import dev.backlight.densenet.imagenet.ImageLoader;
import dev.backlight.densenet.imagenet.ImageNetPreprocessor;
import dev.backlight.densenet.imagenet.ImageTooLargeException;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Reads and checks one input of {@code explain}: an image is decoded upright (alpha on the
 * background colour) and preprocessed as torchvision does (resize 256, centre crop 224,
 * normalise); an array must be float32 {@code [N, 3, H, W]} with H and W at least {@value
 * #MIN_SIDE} and finite values. An image that declares more pixels than the limit is refused
 * before it is decoded (a decompression bomb), with a message naming {@code --max-pixels}.
 */
final class InputLoader {
    /** The smallest height and width DenseNet's five downsamplings accept. */
    static final int MIN_SIDE = 32;

    private final ImageNetPreprocessor preprocessor;
    private final int background;
    private final boolean keepSource;
    private final long maxPixels;

    /** A loader with the default background (white) and pixel limit that keeps no source images. */
    InputLoader(ImageNetPreprocessor preprocessor) {
        this(preprocessor, ImageLoader.DEFAULT_BACKGROUND, false, ImageLoader.defaultMaxPixels());
    }

    /**
     * @param background the colour under transparent pixels, {@code 0xRRGGBB}
     * @param keepSource whether to keep each whole source image (to place maps on it)
     * @param maxPixels the most pixels (width × height) an image may declare
     */
    InputLoader(ImageNetPreprocessor preprocessor, int background, boolean keepSource, long maxPixels) {
        this.preprocessor = preprocessor;
        this.background = background;
        this.keepSource = keepSource;
        this.maxPixels = maxPixels;
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
            return new InputFile(spec, array, null, null, null, System.nanoTime() - start);
        }
        BufferedImage image = image(spec);
        try {
            CropBox box = preprocessor.cropBox(image.getWidth(), image.getHeight());
            BufferedImage crop = preprocessor.resizeAndCrop(image);
            Tensor pixels = preprocessor.normalise(crop);
            return new InputFile(spec, pixels, crop, box, keepSource ? image : null, System.nanoTime() - start);
        } catch (IllegalArgumentException e) {
            throw new InputFormatException("cannot preprocess image " + spec.path() + ": " + e.getMessage(), e);
        }
    }

    private BufferedImage image(InputSpec spec) {
        try {
            return ImageLoader.read(spec.path(), background, maxPixels);
        } catch (ImageTooLargeException e) {
            throw new InputFormatException(String.format(Locale.ROOT, "%s declares a %dx%d image (%,d pixels), more"
                    + " than the limit of %,d pixels, and was not decoded (a guard against decompression bombs); if"
                    + " you trust the file, raise the limit with --max-pixels %d", spec.path(), e.width(), e.height(),
                    e.pixels(), e.limit(), e.pixels()), e);
        }
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
