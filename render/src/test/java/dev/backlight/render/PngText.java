package dev.backlight.render;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.metadata.IIOMetadata;
import javax.imageio.stream.ImageInputStream;
import org.w3c.dom.Node;

/** Reads PNG files and their {@code tEXt} chunks for the tests. */
public final class PngText {
    private PngText() {
    }

    /** The decoded image. */
    public static BufferedImage read(Path png) throws IOException {
        BufferedImage image = ImageIO.read(png.toFile());
        if (image == null) {
            throw new AssertionError(png + " is not a readable image");
        }
        return image;
    }

    /** The keyword → text entries of every {@code tEXt} chunk. */
    public static Map<String, String> entries(Path png) throws IOException {
        try (ImageInputStream in = ImageIO.createImageInputStream(png.toFile())) {
            Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
            ImageReader reader = readers.next();
            try {
                reader.setInput(in);
                IIOMetadata metadata = reader.getImageMetadata(0);
                Node root = metadata.getAsTree("javax_imageio_png_1.0");
                Map<String, String> text = new HashMap<>();
                for (Node chunk = root.getFirstChild(); chunk != null; chunk = chunk.getNextSibling()) {
                    if (chunk.getNodeName().equals("tEXt")) {
                        for (Node e = chunk.getFirstChild(); e != null; e = e.getNextSibling()) {
                            text.put(e.getAttributes().getNamedItem("keyword").getNodeValue(),
                                    e.getAttributes().getNamedItem("value").getNodeValue());
                        }
                    }
                }
                return text;
            } finally {
                reader.dispose();
            }
        }
    }
}
