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
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Reads and checks one input of {@code explain}: an image is decoded by the library's {@link
 * ImageLoader} (upright, transparency on the background colour) and prepared by {@link
 * Explainer#prepare(java.awt.image.BufferedImage)} (preprocessed as torchvision does), as an
 * application's {@code explain(Path)} would; an array must be float32 {@code [N, 3, H, W]} with H
 * and W at least {@value #MIN_SIDE} and finite values. An image that declares more pixels than the
 * limit is refused before it is decoded (a decompression bomb), with a message naming {@code
 * --max-pixels}.
 *
 * <p>Reading one input never sinks the run. An image is decoded under a budget taken from the free
 * heap: one that declares more pixels than the heap can decode (about {@value
 * #DECODE_BYTES_PER_PIXEL} bytes a pixel, measured) is refused from its header, naming the file and
 * the heap it needs; an array whose file is larger than the heap can hold with its maps is refused
 * before it is read; and an {@link OutOfMemoryError} while reading either is turned into a failure
 * of that input alone.
 */
public final class InputLoader {
    /** The smallest height and width DenseNet's five downsamplings accept. */
    static final int MIN_SIDE = 32;
    /**
     * Heap bytes per pixel that decoding and preprocessing an image need at their peak. Measured: a
     * 6000×4000 PNG and JPEG decoded and preprocessed with 450 MB of heap and not with 350 MB (15 to
     * 19 bytes a pixel with the JVM's own use); rounded up.
     */
    static final long DECODE_BYTES_PER_PIXEL = 20;

    private final Explainer explainer;
    private final int background;
    private final long maxPixels;
    private final int ranks;

    /**
     * @param background the colour under transparent pixels, {@code 0xRRGGBB}
     * @param maxPixels the most pixels an image may declare ({@code --max-pixels})
     * @param ranks the maps per image (an array's maps are held with it)
     */
    InputLoader(Explainer explainer, int background, long maxPixels, int ranks) {
        this.explainer = explainer;
        this.background = background;
        this.maxPixels = maxPixels;
        this.ranks = ranks;
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
     * @throws InputFormatException naming the input and why it cannot be used (also when it is too
     *     large for the heap)
     */
    InputFile load(InputSpec spec) {
        long start = System.nanoTime();
        try {
            if (spec.kind() == InputFile.Kind.ARRAY) {
                checkArrayFits(spec.path());
                Tensor array = array(spec);
                return new InputFile(spec, array, null, System.nanoTime() - start);
            }
            PreparedImage prepared = explainer.prepare(decode(spec.path()));
            PreparedImage image = new PreparedImage(spec.path(), prepared.crop(), prepared.box(), prepared.pixels(),
                    prepared.source());
            return new InputFile(spec, image.pixels(), image, System.nanoTime() - start);
        } catch (OutOfMemoryError e) {
            throw new InputFormatException(spec.path() + ": out of memory while reading it (maximum heap "
                    + mebibytes(Runtime.getRuntime().maxMemory()) + " MiB): it is too large for this Java heap; give"
                    + " Java more heap with -Xmx (java -Xmx8g -jar backlight.jar ...)", e);
        }
    }

    /**
     * Decodes an image under two limits: {@code --max-pixels}, and the pixels the free heap can
     * decode. The second is judged from the heap in use, which counts garbage too; an image over it
     * is tried once more after a collection.
     */
    private BufferedImage decode(Path path) {
        ImageTooLargeException tooLarge = null;
        for (int attempt = 0; attempt < 2; attempt++) {
            long heapLimit = Math.max(1, freeHeap() / DECODE_BYTES_PER_PIXEL);
            try {
                return ImageLoader.read(path, background, Math.min(maxPixels, heapLimit));
            } catch (ImageTooLargeException e) {
                if (e.pixels() > maxPixels) {
                    throw new InputFormatException(String.format(Locale.ROOT, "%s declares a %dx%d image (%,d pixels),"
                            + " more than the limit of %,d pixels, and was not decoded (a guard against decompression"
                            + " bombs); if you trust the file, raise the limit with --max-pixels %d", path, e.width(),
                            e.height(), e.pixels(), maxPixels, e.pixels()), e);
                }
                tooLarge = e;
                System.gc(); // the heap in use may be mostly garbage: measure again
            }
        }
        long needed = tooLarge.pixels() * DECODE_BYTES_PER_PIXEL;
        throw new InputFormatException(String.format(Locale.ROOT, "%s is a %dx%d image (%,d pixels): decoding it needs"
                + " about %,d MiB of heap, and only %,d MiB of the maximum %,d MiB are free; it was not decoded; give Java"
                + " more heap with -Xmx (java -Xmx%dg -jar backlight.jar ...)", path, tooLarge.width(), tooLarge.height(),
                tooLarge.pixels(), mebibytes(needed), mebibytes(freeHeap()), mebibytes(Runtime.getRuntime().maxMemory()),
                Math.max(2, (Runtime.getRuntime().maxMemory() + needed + (1L << 30) - 1) >> 30)), tooLarge);
    }

    /**
     * Refuses an array whose file the free heap cannot hold with what explaining it makes: the
     * array, a map of its size per rank, and the slices of a batch.
     */
    private void checkArrayFits(Path path) {
        long bytes;
        try {
            bytes = Files.size(path);
        } catch (IOException e) {
            return; // reading it will say why
        }
        long needed = bytes * (2L + ranks);
        if (needed <= freeHeap()) {
            return;
        }
        System.gc();
        if (needed <= freeHeap()) {
            return;
        }
        throw new InputFormatException(String.format(Locale.ROOT, "%s holds %,d MiB of images: explaining it needs about"
                + " %,d MiB of heap (the array, its maps and a batch), and only %,d MiB of the maximum %,d MiB are free;"
                + " it was not read; split it into smaller arrays, or give Java more heap with -Xmx", path,
                mebibytes(bytes), mebibytes(needed), mebibytes(freeHeap()), mebibytes(Runtime.getRuntime().maxMemory())));
    }

    /** The heap not in use now (garbage counts as in use until collected). */
    private static long freeHeap() {
        Runtime r = Runtime.getRuntime();
        return r.maxMemory() - (r.totalMemory() - r.freeMemory());
    }

    private static long mebibytes(long bytes) {
        return (bytes + (1 << 20) - 1) >> 20;
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
