package dev.backlight.densenet.imagenet;

import dev.backlight.api.InputFormatException;
import java.nio.file.Path;
import java.util.Locale;

/**
 * An image file declares more pixels than the caller allows, and was refused before its pixels
 * were decoded: a small file can declare an enormous image (a decompression bomb: a 20000×20000
 * PNG of one colour compresses to about 50 KB and would need 1.6 GB as RGB pixels). The message
 * names the file, its dimensions, the limit and how to raise it.
 */
public class ImageTooLargeException extends InputFormatException {
    private static final long serialVersionUID = 1L;

    private final transient Path file;
    private final String name;
    private final int width;
    private final int height;
    private final long limit;

    ImageTooLargeException(Path file, String format, int width, int height, long limit) {
        this(file, file.toString(), format, width, height, limit);
    }

    /** For a file ({@code file} non-null) or for bytes in memory ({@code file} null), named {@code name}. */
    ImageTooLargeException(Path file, String name, String format, int width, int height, long limit) {
        super(String.format(Locale.ROOT, "%s declares a %dx%d %s image (%,d pixels), more than the limit of %,d"
                        + " pixels, and was not decoded (a guard against decompression bombs); to read it, raise the"
                        + " limit with the system property %s or ImageLoader.read(file, background, maxPixels)",
                name, width, height, format.toUpperCase(Locale.ROOT), (long) width * height, limit,
                ImageLoader.MAX_PIXELS_PROPERTY));
        this.file = file;
        this.name = name;
        this.width = width;
        this.height = height;
        this.limit = limit;
    }

    /** The refused file; null for an image read from bytes in memory (see {@link #name()}). */
    public Path file() {
        return file;
    }

    /** How the refused image is named: the file's path, or the name given with its bytes. */
    public String name() {
        return name;
    }

    /** The width the file declares. */
    public int width() {
        return width;
    }

    /** The height the file declares. */
    public int height() {
        return height;
    }

    /** The number of pixels the file declares, {@code width × height}. */
    public long pixels() {
        return (long) width * height;
    }

    /** The limit that refused it, in pixels. */
    public long limit() {
        return limit;
    }
}
