package dev.backlight.densenet.imagenet;

import dev.backlight.api.InputFormatException;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;

/**
 * Reads image files into 8-bit RGB, ready for {@link ImageNetPreprocessor}.
 *
 * <p>Decoding uses the JDK's {@code javax.imageio} readers (JPEG, PNG, GIF, BMP, WBMP, TIFF). The
 * result is always {@link BufferedImage#TYPE_INT_RGB}:
 *
 * <ul>
 *   <li>gray images have their gray level copied into R, G and B (as Pillow's {@code
 *       convert("RGB")}; Java's own conversion would treat gray as linear and brighten it);
 *   <li>images with alpha are composited on a <b>white</b> background, so transparent areas
 *       become white rather than the arbitrary colour stored under them;
 *   <li>samples are used as stored: embedded ICC profiles are not applied (neither does Pillow).
 * </ul>
 *
 * <p>Not handled yet (later work): CMYK and YCCK JPEGs are rejected with an {@link
 * InputFormatException}, and the EXIF orientation tag is ignored, so a photo stored sideways stays
 * sideways.
 *
 * <p>A decoder warning, such as the JPEG reader's "premature end of data" for a truncated file, is
 * an error here: the JDK would otherwise return the image with its missing part filled in gray.
 * Pillow likewise refuses truncated files by default.
 */
public final class ImageLoader {
    private ImageLoader() {}

    /**
     * Reads the first image in a file.
     *
     * @return the image as {@code TYPE_INT_RGB}
     * @throws InputFormatException naming the file and the problem, if it does not exist, is not a
     *     readable regular file, is empty, is not in a recognised image format, is truncated or
     *     corrupt, or is neither RGB nor gray
     */
    public static BufferedImage read(Path file) {
        checkReadable(file);
        try (ImageInputStream in = ImageIO.createImageInputStream(file.toFile())) {
            if (in == null) {
                throw new InputFormatException("cannot open image file " + file);
            }
            Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
            if (!readers.hasNext()) {
                throw new InputFormatException(file + " is not in a recognised image format");
            }
            return RgbImages.toIntRgb(decode(readers.next(), in, file), file.toString());
        } catch (IOException e) {
            throw new InputFormatException("cannot read image file " + file + ": " + e.getMessage(), e);
        }
    }

    private static void checkReadable(Path file) {
        if (!Files.exists(file)) {
            throw new InputFormatException("image file " + file + " does not exist");
        }
        if (!Files.isRegularFile(file) || !Files.isReadable(file)) {
            throw new InputFormatException(file + " is not a readable file");
        }
        try {
            if (Files.size(file) == 0) {
                throw new InputFormatException("image file " + file + " is empty");
            }
        } catch (IOException e) {
            throw new InputFormatException("cannot read image file " + file + ": " + e.getMessage(), e);
        }
    }

    private static BufferedImage decode(ImageReader reader, ImageInputStream in, Path file) {
        String format = reader.getOriginatingProvider() == null
                ? reader.getClass().getSimpleName()
                : reader.getOriginatingProvider().getFormatNames()[0];
        List<String> warnings = new ArrayList<>();
        BufferedImage image;
        try {
            reader.setInput(in, true, true);
            reader.addIIOReadWarningListener((source, warning) -> warnings.add(warning));
            image = reader.read(0);
        } catch (IOException | RuntimeException e) {
            // Readers also fail with unchecked exceptions (index or argument errors) on corrupt data.
            String seen = warnings.isEmpty() ? "" : " (decoder warnings: " + String.join("; ", warnings) + ")";
            throw new InputFormatException(
                    "cannot decode " + format + " image " + file + ": " + e.getMessage() + seen, e);
        } finally {
            reader.dispose();
        }
        if (!warnings.isEmpty()) {
            throw new InputFormatException(
                    file + " is truncated or corrupt (" + format + " decoder: " + String.join("; ", warnings) + ")");
        }
        return image;
    }
}
