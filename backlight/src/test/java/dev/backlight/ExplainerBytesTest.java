package dev.backlight;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.backlight.api.InputFormatException;
import dev.backlight.densenet.imagenet.ImageTooLargeException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@link Explainer#prepare(byte[], String)}: an image given as its file's bytes (as Spark's
 * {@code binaryFile} rows hold it) must give exactly the network input and picture that the file
 * gives through {@link Explainer#prepare(Path)}, the door the CLI uses; the builder's pixel limit
 * and background apply to both.
 */
class ExplainerBytesTest {
    /** The repository's photo (examples/lion.jpg, CC BY 2.0, see examples/lion-ATTRIBUTION.txt): 1280x960. */
    private static final Path LION = Path.of("..", "examples", "lion.jpg");
    private static Explainer explainer;

    @BeforeAll
    static void build() {
        explainer = Explainer.builder().model("densenet121").randomWeights(1).backend("cpu").threads(1)
                .background(0x203040).build();
    }

    @AfterAll
    static void close() {
        explainer.close();
    }

    @Test
    void bytesPrepareExactlyAsTheFile() throws IOException {
        PreparedImage fromFile = explainer.prepare(LION);
        PreparedImage fromBytes = explainer.prepare(Files.readAllBytes(LION), "lion.jpg");

        assertEquals(fromFile.pixels().shape(), fromBytes.pixels().shape());
        assertArrayEquals(fromFile.pixels().data(), fromBytes.pixels().data(), "network input, bit for bit");
        assertEquals(fromFile.box(), fromBytes.box());
        int side = fromFile.crop().getWidth();
        assertArrayEquals(fromFile.crop().getRGB(0, 0, side, side, null, 0, side),
                fromBytes.crop().getRGB(0, 0, side, side, null, 0, side), "crop");
        assertNull(fromBytes.path());
    }

    @Test
    void corruptBytesAreAnInputErrorNamingTheImage() throws IOException {
        byte[] half = Arrays.copyOf(Files.readAllBytes(LION), 20_000);

        InputFormatException e = assertThrows(InputFormatException.class,
                () -> explainer.prepare(half, "file:/data/half-lion.jpg"));

        assertTrue(e.getMessage().contains("file:/data/half-lion.jpg"), e.getMessage());
    }

    @Test
    void theBuildersPixelLimitAppliesToBytes() throws IOException {
        byte[] lion = Files.readAllBytes(LION);
        try (Explainer small = Explainer.builder().model("densenet121").randomWeights(1).backend("cpu").threads(1)
                .maxPixels(1_228_799).build()) {
            ImageTooLargeException e = assertThrows(ImageTooLargeException.class, () -> small.prepare(lion, "big.jpg"));
            assertEquals(1_228_799, e.limit());
            assertEquals("big.jpg", e.name());
        }
    }
}
