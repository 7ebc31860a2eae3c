package dev.backlight.cli;

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
 * @param path the file as the user named it
 * @param kind image or array
 * @param pixels the network input, {@code [N, 3, H, W]}
 */
record InputFile(Path path, Kind kind, Tensor pixels) {

    /** What kind of file an input is, by its extension. */
    enum Kind {
        /** An image file: a PNG map is written for it. */
        IMAGE,
        /** A float32 {@code .npy} array: raw {@code .npy} logits and maps are written for it. */
        ARRAY;

        /** Extensions read as images (whatever {@link dev.backlight.densenet.imagenet.ImageLoader} decodes). */
        static final Set<String> IMAGE_EXTENSIONS = Set.of("jpg", "jpeg", "png", "bmp", "gif");

        /**
         * The kind of {@code path}, by its extension (case ignored).
         *
         * @throws InputFormatException for any other extension
         */
        static Kind of(Path path) {
            String extension = extension(path);
            if (extension.equals("npy")) {
                return ARRAY;
            }
            if (IMAGE_EXTENSIONS.contains(extension)) {
                return IMAGE;
            }
            throw new InputFormatException(path + ": cannot tell what this input is from its name;"
                    + " give image files (.jpg, .jpeg, .png, .bmp, .gif) or .npy float32 arrays [N, 3, H, W]");
        }
    }

    InputFile {
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(pixels, "pixels");
    }

    /** The number of images in this input. */
    int count() {
        return pixels.shape().dim(0);
    }

    /** The file name without its last extension: {@code photo} for {@code photo.jpg}. */
    String stem() {
        return stem(path);
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
