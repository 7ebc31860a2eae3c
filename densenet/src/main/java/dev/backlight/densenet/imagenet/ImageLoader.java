package dev.backlight.densenet.imagenet;

import dev.backlight.api.InputFormatException;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.ImageInputStreamImpl;

/**
 * Reads image files into upright 8-bit RGB, ready for {@link ImageNetPreprocessor}.
 *
 * <p>Decoding uses {@code javax.imageio} with the TwelveMonkeys plugins on the class path: JPEG
 * (baseline, progressive, gray, and CMYK/YCCK converted to sRGB by TwelveMonkeys, with the file's
 * ICC profile or its generic CMYK one), PNG, BMP, GIF (the first frame), WebP and TIFF. The result
 * is always {@link BufferedImage#TYPE_INT_RGB}:
 *
 * <ul>
 *   <li>gray images have their gray level copied into R, G and B (as Pillow's {@code
 *       convert("RGB")}; Java's own conversion would treat gray as linear and brighten it);
 *   <li>images with alpha are composited on a background, <b>white</b> unless the caller names
 *       another, so transparent areas get a stated colour rather than whatever is stored under them;
 *   <li>RGB samples are used as the decoder returns them;
 *   <li>the EXIF orientation (which TwelveMonkeys reports in the JPEG's standard metadata) is
 *       applied, so a photo stored sideways comes out upright ({@link ImageOrientation}).
 * </ul>
 *
 * <p>Images that declare more than a limit of pixels (width × height) are refused <b>before</b>
 * their pixels are decoded, with an {@link ImageTooLargeException}: the dimensions are read from
 * the file's header first, so a decompression bomb (a file of a few kilobytes declaring a
 * gigapixel image) costs neither time nor memory. The limit is {@value #DEFAULT_MAX_PIXELS}
 * pixels (100 megapixels, about 400 MB as RGB pixels; Pillow's warning threshold is 89
 * megapixels), or the system property {@value #MAX_PIXELS_PROPERTY}, or what the caller passes to
 * {@link #read(Path, int, long)}. A PNG's metadata chunks are not read: the JDK would inflate a
 * compressed text or ICC chunk whatever its size (a metadata bomb).
 *
 * <p>A decoder warning, such as the JPEG reader's "premature end of data" for a truncated file, is
 * an error here: the JDK would otherwise return the image with its missing part filled in gray.
 * Pillow likewise refuses truncated files by default. The one exception is TwelveMonkeys' note
 * that a CMYK JPEG has no ICC profile and is converted with a generic one: the pixels are whole.
 */
public final class ImageLoader {
    /** The background images with alpha are composited on unless another is named: opaque white. */
    public static final int DEFAULT_BACKGROUND = 0xFFFFFF;
    /** The most pixels (width × height) an image may declare unless a larger limit is set: 100 megapixels. */
    public static final long DEFAULT_MAX_PIXELS = 100_000_000L;
    /** The system property that replaces {@link #DEFAULT_MAX_PIXELS}: a positive number of pixels. */
    public static final String MAX_PIXELS_PROPERTY = "backlight.image.maxPixels";

    private ImageLoader() {}

    /**
     * The pixel limit of {@link #read(Path)} and {@link #read(Path, int)}: the system property
     * {@value #MAX_PIXELS_PROPERTY} if set (underscores allowed: {@code 400_000_000}), else
     * {@value #DEFAULT_MAX_PIXELS}.
     *
     * @throws IllegalArgumentException if the property is set to anything but a positive whole number
     */
    public static long defaultMaxPixels() {
        String value = System.getProperty(MAX_PIXELS_PROPERTY);
        if (value == null || value.isBlank()) {
            return DEFAULT_MAX_PIXELS;
        }
        try {
            long limit = Long.parseLong(value.strip().replace("_", ""));
            if (limit > 0) {
                return limit;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException("the system property " + MAX_PIXELS_PROPERTY + "=" + value
                + " is not a positive whole number of pixels");
    }

    /**
     * Reads the first image in a file, upright, with alpha composited on white.
     *
     * @return the image as {@code TYPE_INT_RGB}
     * @throws ImageTooLargeException if it declares more than {@link #defaultMaxPixels()} pixels
     * @throws InputFormatException naming the file and the problem, if it does not exist, is not a
     *     readable regular file, is empty, is not in a recognised image format, is truncated or
     *     corrupt, or has a colour space that cannot be turned into RGB
     */
    public static BufferedImage read(Path file) {
        return read(file, DEFAULT_BACKGROUND);
    }

    /**
     * Reads the first image in a file, upright, with alpha composited on {@code background}.
     *
     * @param background the opaque colour under transparent pixels, as {@code 0xRRGGBB}
     * @return the image as {@code TYPE_INT_RGB}
     * @throws InputFormatException as {@link #read(Path)}
     */
    public static BufferedImage read(Path file, int background) {
        return read(file, background, defaultMaxPixels());
    }

    /**
     * Reads the first image in a file, upright, with alpha composited on {@code background}, if it
     * declares at most {@code maxPixels} pixels; the dimensions are checked before any pixel is
     * decoded.
     *
     * @param background the opaque colour under transparent pixels, as {@code 0xRRGGBB}
     * @param maxPixels the most pixels (width × height) the image may have
     * @return the image as {@code TYPE_INT_RGB}
     * @throws ImageTooLargeException if the image declares more than {@code maxPixels} pixels
     * @throws InputFormatException as {@link #read(Path)}
     * @throws IllegalArgumentException if {@code maxPixels} is not positive
     */
    public static BufferedImage read(Path file, int background, long maxPixels) {
        if (maxPixels < 1) {
            throw new IllegalArgumentException("maxPixels must be positive, was " + maxPixels);
        }
        checkReadable(file);
        try (ImageInputStream in = ImageIO.createImageInputStream(file.toFile())) {
            if (in == null) {
                throw new InputFormatException("cannot open image file " + file);
            }
            Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
            if (!readers.hasNext()) {
                throw new InputFormatException(file + " is not in a recognised image format");
            }
            return decode(readers.next(), in, file, file.toString(), background, maxPixels);
        } catch (IOException e) {
            throw new InputFormatException("cannot read image file " + file + ": " + e.getMessage(), e);
        }
    }

    /**
     * Reads the first image of an encoded image file held in memory (the bytes of a JPEG, PNG, ...
     * file, such as Spark's {@code binaryFile} source gives), exactly as {@link #read(Path, int, long)}
     * reads a file: the same decoders, orientation, background and pixel limit checked from the
     * header before any pixel is decoded. The bytes are read in place, not copied, and never
     * changed.
     *
     * @param encoded the file's bytes
     * @param name how messages name the image: its path or URI (only used in messages)
     * @param background the opaque colour under transparent pixels, as {@code 0xRRGGBB}
     * @param maxPixels the most pixels (width × height) the image may have
     * @return the image as {@code TYPE_INT_RGB}
     * @throws ImageTooLargeException if the image declares more than {@code maxPixels} pixels (its
     *     {@link ImageTooLargeException#file()} is null, its {@link ImageTooLargeException#name()} is {@code name})
     * @throws InputFormatException naming the image and the problem, if the bytes are null or empty,
     *     not in a recognised image format, truncated or corrupt, or in a colour space that cannot be
     *     turned into RGB
     * @throws IllegalArgumentException if {@code maxPixels} is not positive
     */
    public static BufferedImage read(byte[] encoded, String name, int background, long maxPixels) {
        Objects.requireNonNull(name, "name");
        if (maxPixels < 1) {
            throw new IllegalArgumentException("maxPixels must be positive, was " + maxPixels);
        }
        if (encoded == null) {
            throw new InputFormatException("image " + name + " has no content (null bytes)");
        }
        if (encoded.length == 0) {
            throw new InputFormatException("image file " + name + " is empty");
        }
        try (ImageInputStream in = new ByteArrayImageInputStream(encoded)) {
            Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
            if (!readers.hasNext()) {
                throw new InputFormatException(name + " is not in a recognised image format");
            }
            return decode(readers.next(), in, null, name, background, maxPixels);
        } catch (IOException e) {
            throw new InputFormatException("cannot read image " + name + ": " + e.getMessage(), e);
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

    /** Decodes with {@code reader}; {@code file} is the file read (null for bytes), {@code name} how messages name it. */
    private static BufferedImage decode(ImageReader reader, ImageInputStream in, Path file, String name, int background,
                                        long maxPixels) {
        String format = reader.getOriginatingProvider() == null
                ? reader.getClass().getSimpleName()
                : reader.getOriginatingProvider().getFormatNames()[0];
        List<String> warnings = new ArrayList<>();
        BufferedImage image;
        ImageOrientation orientation;
        // PNG metadata holds nothing used here (no orientation; the JDK's reader applies neither gAMA nor
        // iCCP), and the JDK inflates its compressed text and ICC chunks without a limit: a 200 KB zTXt
        // chunk made it allocate 600 MB. Ignoring it skips them; PLTE and tRNS are still read.
        boolean png = format.equalsIgnoreCase("png");
        try {
            // Elsewhere not "ignore metadata": the EXIF orientation is in it.
            reader.setInput(in, true, png);
            reader.addIIOReadWarningListener((source, warning) -> {
                if (!isColourProfileNote(warning)) {
                    warnings.add(warning);
                }
            });
            // getWidth and getHeight read the header only (PNG's IHDR, JPEG's SOF, ...): nothing is
            // allocated for the pixels before the size is known to be acceptable.
            int width = reader.getWidth(0);
            int height = reader.getHeight(0);
            if ((long) width * height > maxPixels) {
                throw new ImageTooLargeException(file, name, format, width, height, maxPixels);
            }
            image = reader.read(0);
            orientation = png ? ImageOrientation.NORMAL : orientation(reader);
        } catch (ImageTooLargeException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            // Readers also fail with unchecked exceptions (index or argument errors) on corrupt data.
            String seen = warnings.isEmpty() ? "" : " (decoder warnings: " + String.join("; ", warnings) + ")";
            throw new InputFormatException(
                    "cannot decode " + format + " image " + name + ": " + e.getMessage() + seen, e);
        } finally {
            reader.dispose();
        }
        if (!warnings.isEmpty()) {
            throw new InputFormatException(
                    name + " is truncated or corrupt (" + format + " decoder: " + String.join("; ", warnings) + ")");
        }
        return orientation.apply(RgbImages.toIntRgb(image, name, background));
    }

    /** The stated orientation; metadata that cannot be parsed states none (the pixels decoded fine). */
    private static ImageOrientation orientation(ImageReader reader) {
        try {
            return ImageOrientation.of(reader.getImageMetadata(0));
        } catch (IOException | RuntimeException e) {
            return ImageOrientation.NORMAL;
        }
    }

    /** TwelveMonkeys' notes on colour profiles (a CMYK JPEG without one, an odd one) say nothing about damage. */
    private static boolean isColourProfileNote(String warning) {
        String lower = warning.toLowerCase(Locale.ROOT);
        return lower.contains("icc") || lower.contains("color profile") || lower.contains("colour profile");
    }

    /**
     * An image input stream over a byte array, read in place: {@code ImageIO.createImageInputStream}
     * would copy a stream into a cache (on disk unless told otherwise).
     */
    private static final class ByteArrayImageInputStream extends ImageInputStreamImpl {
        private final byte[] bytes;

        ByteArrayImageInputStream(byte[] bytes) {
            this.bytes = bytes;
        }

        @Override
        public int read() throws IOException {
            checkClosed();
            bitOffset = 0;
            return streamPos < bytes.length ? bytes[(int) streamPos++] & 0xFF : -1;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            checkClosed();
            Objects.checkFromIndexSize(off, len, b.length);
            bitOffset = 0;
            if (len == 0) {
                return 0;
            }
            if (streamPos >= bytes.length) {
                return -1;
            }
            int n = (int) Math.min(len, bytes.length - streamPos);
            System.arraycopy(bytes, (int) streamPos, b, off, n);
            streamPos += n;
            return n;
        }

        @Override
        public long length() {
            return bytes.length;
        }
    }
}
