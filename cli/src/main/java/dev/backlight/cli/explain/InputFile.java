package dev.backlight.cli.explain;

import dev.backlight.PreparedImage;
import dev.backlight.api.InputFormatException;
import dev.backlight.api.Tensor;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;

/**
 * One input of {@code explain}, loaded and checked: an image (preprocessed to {@code [1, 3, 224,
 * 224]}) or a {@code .npy} array of already normalised images {@code [N, 3, H, W]}.
 *
 * @param spec the file and where its outputs go
 * @param pixels the network input, {@code [N, 3, H, W]}
 * @param image for an image, the library's prepared image (the crop the model saw, where it lies in
 *     the source, and the source itself with {@code --full-size}); null for an array
 * @param loadNanos how long reading and preprocessing took
 */
record InputFile(InputSpec spec, Tensor pixels, PreparedImage image, long loadNanos) {

    /** What kind of file an input is, by its extension. */
    enum Kind {
        /** An image file: pictures of its maps are written for it. */
        IMAGE,
        /** A float32 {@code .npy} array: raw {@code .npy} logits and maps are written for it. */
        ARRAY;

        /** Extensions read as images (whatever {@link dev.backlight.densenet.imagenet.ImageLoader} decodes). */
        static final Set<String> IMAGE_EXTENSIONS = Set.of("jpg", "jpeg", "png", "bmp", "gif", "webp", "tif", "tiff");

        /**
         * The kind of {@code path}, by its extension (case ignored).
         *
         * @throws InputFormatException for any other extension
         */
        static Kind of(Path path) {
            Kind kind = ofOrNull(path);
            if (kind == null) {
                throw new InputFormatException(unknownKindMessage(path));
            }
            return kind;
        }

        /** The kind of {@code path} by its extension, or null if it is neither an image nor an array. */
        static Kind ofOrNull(Path path) {
            String extension = extension(path);
            if (extension.equals("npy")) {
                return ARRAY;
            }
            return IMAGE_EXTENSIONS.contains(extension) ? IMAGE : null;
        }

        /** Why {@code path} is not an input. */
        static String unknownKindMessage(Path path) {
            return path + ": cannot tell what this input is from its name; give image files (.jpg, .jpeg, .png,"
                    + " .bmp, .gif, .webp, .tif), folders of them, or .npy float32 arrays [N, 3, H, W]";
        }
    }

    InputFile {
        Objects.requireNonNull(spec, "spec");
        Objects.requireNonNull(pixels, "pixels");
        if (spec.kind() == Kind.IMAGE && image == null) {
            throw new IllegalArgumentException("an image input needs its prepared image: " + spec.path());
        }
    }

    /** The file as found. */
    Path path() {
        return spec.path();
    }

    /** Image or array. */
    Kind kind() {
        return spec.kind();
    }

    /** The number of images in this input. */
    int count() {
        return pixels.shape().dim(0);
    }

    /** The file name without its last extension: {@code photo} for {@code photo.jpg}. */
    String stem() {
        return stem(path());
    }

    /** The file name of {@code path} without its last extension. */
    static String stem(Path path) {
        String name = fileName(path);
        int dot = name.lastIndexOf('.');
        return dot > 0 ? name.substring(0, dot) : name;
    }

    /** The file name of {@code path} (the path itself when it has none, such as {@code /}). */
    static String fileName(Path path) {
        Path name = path.getFileName();
        return name == null ? path.toString() : name.toString();
    }

    private static String extension(Path path) {
        String name = fileName(path);
        int dot = name.lastIndexOf('.');
        return dot > 0 ? name.substring(dot + 1).toLowerCase(Locale.ROOT) : "";
    }
}
