package dev.backlight.render;

import dev.backlight.api.BacklightException;
import dev.backlight.api.internal.io.AtomicFiles;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.Map;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageTypeSpecifier;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.metadata.IIOMetadata;
import javax.imageio.metadata.IIOMetadataNode;
import javax.imageio.stream.ImageOutputStream;

/** Writes PNG files with {@code tEXt} chunks (keyword → Latin-1 text), atomically. Stateless and thread-safe. */
public final class PngFiles {
    private static final String FORMAT = "javax_imageio_png_1.0";

    private PngFiles() {
    }

    /**
     * Encodes {@code image} with one {@code tEXt} chunk per entry of {@code text} and replaces
     * {@code target} with it atomically.
     *
     * @throws BacklightException if the file cannot be written
     */
    public static void write(Path target, BufferedImage image, Map<String, String> text) {
        byte[] png = encode(image, text);
        try {
            AtomicFiles.write(target, channel -> {
                ByteBuffer bytes = ByteBuffer.wrap(png);
                while (bytes.hasRemaining()) {
                    channel.write(bytes);
                }
            });
        } catch (IOException e) {
            throw new BacklightException("cannot write " + target + ": " + e + "; check that its folder exists, is writable and has room", e);
        }
    }

    /** The PNG bytes of {@code image} with the given {@code tEXt} chunks. */
    public static byte[] encode(BufferedImage image, Map<String, String> text) {
        Iterator<ImageWriter> writers = ImageIO.getImageWritersByFormatName("png");
        if (!writers.hasNext()) {
            throw new IllegalStateException("this Java runtime has no PNG encoder (javax.imageio)");
        }
        ImageWriter writer = writers.next();
        try {
            ImageWriteParam param = writer.getDefaultWriteParam();
            IIOMetadata metadata = writer.getDefaultImageMetadata(ImageTypeSpecifier.createFromRenderedImage(image), param);
            if (!text.isEmpty()) {
                IIOMetadataNode chunk = new IIOMetadataNode("tEXt");
                for (Map.Entry<String, String> e : text.entrySet()) {
                    IIOMetadataNode entry = new IIOMetadataNode("tEXtEntry");
                    entry.setAttribute("keyword", e.getKey());
                    entry.setAttribute("value", e.getValue());
                    chunk.appendChild(entry);
                }
                IIOMetadataNode root = new IIOMetadataNode(FORMAT);
                root.appendChild(chunk);
                metadata.mergeTree(FORMAT, root);
            }
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            try (ImageOutputStream out = ImageIO.createImageOutputStream(bytes)) {
                writer.setOutput(out);
                writer.write(null, new IIOImage(image, null, metadata), param);
            }
            return bytes.toByteArray();
        } catch (IOException e) {
            throw new BacklightException("cannot encode a PNG image: " + e, e);
        } finally {
            writer.dispose();
        }
    }
}
