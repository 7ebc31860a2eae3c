package dev.backlight.densenet.imagenet;

import java.awt.image.BufferedImage;
import javax.imageio.metadata.IIOMetadata;
import javax.imageio.metadata.IIOMetadataFormatImpl;
import org.w3c.dom.Element;
import org.w3c.dom.Node;

/**
 * How the stored pixels of a photo must be turned to show it upright: the eight values of the EXIF
 * (TIFF) {@code Orientation} tag, 1 to 8, in tag order.
 *
 * <p>The tag is read from the decoder's standard ({@code javax_imageio_1.0}) metadata, where
 * TwelveMonkeys' JPEG reader reports it as {@code Dimension/ImageOrientation}; a reader that
 * reports nothing leaves the image as stored.
 */
public enum ImageOrientation {
    /** 1: stored upright. */
    NORMAL("Normal"),
    /** 2: mirrored left to right. */
    MIRROR_HORIZONTAL("FlipH"),
    /** 3: upside down. */
    ROTATE_180("Rotate180"),
    /** 4: mirrored top to bottom. */
    MIRROR_VERTICAL("FlipV"),
    /** 5: mirrored along the main diagonal (rows become columns). */
    TRANSPOSE("FlipHRotate90"),
    /** 6: stored turned a quarter counter-clockwise; shown by turning it a quarter clockwise. */
    ROTATE_90_CLOCKWISE("Rotate270"),
    /** 7: mirrored along the anti-diagonal. */
    TRANSVERSE("FlipVRotate90"),
    /** 8: stored turned a quarter clockwise; shown by turning it a quarter counter-clockwise. */
    ROTATE_90_COUNTER_CLOCKWISE("Rotate90");

    /** The name {@code javax_imageio_1.0} metadata gives this orientation (as the JDK's TIFF reader maps the tag). */
    private final String standardName;

    ImageOrientation(String standardName) {
        this.standardName = standardName;
    }

    /** The EXIF tag value, 1..8. */
    public int exifValue() {
        return ordinal() + 1;
    }

    /**
     * The orientation with EXIF tag value {@code value}.
     *
     * @throws IllegalArgumentException unless {@code 1 <= value <= 8}
     */
    public static ImageOrientation ofExif(int value) {
        if (value < 1 || value > 8) {
            throw new IllegalArgumentException("EXIF orientation must be 1..8, got " + value);
        }
        return values()[value - 1];
    }

    /**
     * The orientation a decoder's metadata states, or {@link #NORMAL} when it states none (or the
     * reader has no standard metadata).
     */
    public static ImageOrientation of(IIOMetadata metadata) {
        if (metadata == null || !metadata.isStandardMetadataFormatSupported()) {
            return NORMAL;
        }
        Node root = metadata.getAsTree(IIOMetadataFormatImpl.standardMetadataFormatName);
        for (Node group = root.getFirstChild(); group != null; group = group.getNextSibling()) {
            if (!group.getNodeName().equals("Dimension")) {
                continue;
            }
            for (Node entry = group.getFirstChild(); entry != null; entry = entry.getNextSibling()) {
                if (entry.getNodeName().equals("ImageOrientation") && entry instanceof Element e) {
                    return byStandardName(e.getAttribute("value"));
                }
            }
        }
        return NORMAL;
    }

    private static ImageOrientation byStandardName(String name) {
        for (ImageOrientation o : values()) {
            if (o.standardName.equalsIgnoreCase(name)) {
                return o;
            }
        }
        return NORMAL;
    }

    /** Whether showing the image upright swaps its width and height. */
    public boolean swapsSides() {
        return ordinal() >= TRANSPOSE.ordinal();
    }

    /**
     * The image turned upright: {@code stored} itself for {@link #NORMAL}, otherwise a new {@code
     * TYPE_INT_RGB} (or {@code TYPE_INT_ARGB} if it has alpha) image.
     */
    public BufferedImage apply(BufferedImage stored) {
        if (this == NORMAL) {
            return stored;
        }
        int inWidth = stored.getWidth();
        int inHeight = stored.getHeight();
        int width = swapsSides() ? inHeight : inWidth;
        int height = swapsSides() ? inWidth : inHeight;
        int[] in = stored.getRGB(0, 0, inWidth, inHeight, null, 0, inWidth);
        int[] out = new int[in.length];
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                out[y * width + x] = in[sourceY(x, y, width, height) * inWidth + sourceX(x, y, width, height)];
            }
        }
        int type = stored.getColorModel().hasAlpha() ? BufferedImage.TYPE_INT_ARGB : BufferedImage.TYPE_INT_RGB;
        BufferedImage upright = new BufferedImage(width, height, type);
        upright.setRGB(0, 0, width, height, out, 0, width);
        return upright;
    }

    /** The stored column shown at upright pixel (x, y) of an upright image {@code width x height}. */
    private int sourceX(int x, int y, int width, int height) {
        return switch (this) {
            case NORMAL, MIRROR_VERTICAL -> x;
            case MIRROR_HORIZONTAL, ROTATE_180 -> width - 1 - x;
            case TRANSPOSE, ROTATE_90_CLOCKWISE -> y;
            case TRANSVERSE, ROTATE_90_COUNTER_CLOCKWISE -> height - 1 - y;
        };
    }

    /** The stored row shown at upright pixel (x, y). */
    private int sourceY(int x, int y, int width, int height) {
        return switch (this) {
            case NORMAL, MIRROR_HORIZONTAL -> y;
            case ROTATE_180, MIRROR_VERTICAL -> height - 1 - y;
            case TRANSPOSE, ROTATE_90_COUNTER_CLOCKWISE -> x;
            case ROTATE_90_CLOCKWISE, TRANSVERSE -> width - 1 - x;
        };
    }
}
