package dev.backlight.densenet.imagenet;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.backlight.api.Shape;
import dev.backlight.api.Tensor;
import java.awt.image.BufferedImage;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Checks {@link ImageNetPreprocessor} against torchvision 0.14 / Pillow 9.4 outputs made by {@code
 * make_golden.py}: bit-exact 8-bit crops and float32 tensors within 1e-6 where both sides decode
 * the same pixels (PNG or generated), a measured tolerance where each decodes a JPEG itself. (On
 * JDK 17 the tensors measured bit-identical; 1e-6 leaves room for a torch build that divides by
 * a reciprocal.)
 */
class ImageNetPreprocessorTest {
    private static final ImageNetPreprocessor PREPROCESSOR = ImageNetPreprocessor.standard();

    /** torchvision's per-channel ToTensor + Normalize of each level 0..255, float32 [3, 256]. */
    private static final float[] TABLE = GoldenImages.npy("normalize_table.npy").data();

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"lion_300x200", "lion_180x250", "pattern_522x389", "pattern_1000x700", "cat_dog"})
    void cropIsBitIdenticalToPillow(String name) {
        BufferedImage crop = PREPROCESSOR.resizeAndCrop(losslessInput(name));

        assertEquals(BufferedImage.TYPE_INT_RGB, crop.getType());
        assertSamePixels(GoldenImages.png(name + ".crop.png"), crop, name);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"lion_300x200", "lion_180x250", "pattern_522x389", "pattern_1000x700", "cat_dog"})
    void tensorMatchesTorchvision(String name) {
        Tensor tensor = PREPROCESSOR.toTensor(losslessInput(name));

        assertEquals(Shape.nchw(1, 3, 224, 224), tensor.shape());
        assertMaxAbsDiff(torchvisionTensor(name), tensor.data(), 1e-6, name);
    }

    @Test
    void catDogTensorMatchesTorchvisionsOwnOutput() {
        NpyFloat32 expected = GoldenImages.npy("cat_dog.tensor.npy");
        Tensor tensor = PREPROCESSOR.toTensor(ImageLoader.read(SharedTestData.file("images/classic/cat_dog.png")));

        assertArrayEquals(expected.shape(), tensor.shape().dims());
        assertMaxAbsDiff(expected.data(), tensor.data(), 1e-6, "cat_dog");
    }

    /**
     * JPEG: here each side decodes the file with its own decoder (the JDK's bundled libjpeg 6b,
     * Pillow's libjpeg-turbo), so the tensors may differ where the decoders' IDCT, chroma
     * upsampling or colour conversion round differently, by a level or two of 8 bits before the
     * resize averages them. Measured on JDK 17.0.15 against Debian bookworm's Pillow 9.4 /
     * libjpeg-turbo 2.1.5: no difference at all (mean and max 0; both decode lion.jpg, 4:2:0, and
     * grace_hopper.jpg, 4:4:4, to identical pixels). The bounds leave room for other decoder
     * builds: one level is 1 / 255 / std, at most 0.0175 here, so max 0.1 is under six levels
     * and mean 0.01 under 0.6 of a level, while a wrong resize or crop shifts whole edges by far
     * more.
     */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"lion", "grace_hopper"})
    void jpegTensorIsCloseToTorchvision(String name) {
        Tensor tensor = PREPROCESSOR.toTensor(ImageLoader.read(SharedTestData.file("images/" + name + ".jpg")));
        float[] expected = torchvisionTensor(name);

        double sum = 0;
        double max = 0;
        for (int i = 0; i < expected.length; i++) {
            double difference = Math.abs(expected[i] - tensor.data()[i]);
            sum += difference;
            max = Math.max(max, difference);
        }
        double mean = sum / expected.length;
        String measured = String.format("%s: mean abs diff %.5f, max %.5f", name, mean, max);
        assertTrue(mean < 0.01, measured);
        assertTrue(max < 0.1, measured);
    }

    @Test
    void imageAlreadyAtSizeIsOnlyCropped() {
        // torchvision: 256 x 300 needs no resize; crop top = round(76 / 2.0) = 38, left = 16.
        BufferedImage crop = PREPROCESSOR.resizeAndCrop(GoldenImages.pattern(256, 300));

        for (int y = 0; y < 224; y++) {
            for (int x = 0; x < 224; x++) {
                int expected = GoldenImages.patternValue(x + 16, y + 38, 0) << 16
                        | GoldenImages.patternValue(x + 16, y + 38, 1) << 8
                        | GoldenImages.patternValue(x + 16, y + 38, 2);
                assertEquals(expected, crop.getRGB(x, y) & 0xFFFFFF, "pixel (" + x + ", " + y + ")");
            }
        }
    }

    @Test
    void batchStacksSingleImagesInOrder() {
        BufferedImage first = GoldenImages.png("inputs/lion_300x200.png");
        BufferedImage second = GoldenImages.pattern(522, 389);

        Tensor batch = PREPROCESSOR.toTensor(List.of(first, second));

        assertEquals(Shape.nchw(2, 3, 224, 224), batch.shape());
        assertArrayEquals(PREPROCESSOR.toTensor(first).data(), batch.slice(0, 1).data());
        assertArrayEquals(PREPROCESSOR.toTensor(second).data(), batch.slice(1, 2).data());
    }

    @Test
    void emptyBatchIsRejected() {
        assertThrows(IllegalArgumentException.class, () -> PREPROCESSOR.toTensor(List.of()));
    }

    @Test
    void grayImageIsReplicatedIntoRgb() {
        BufferedImage gray = new BufferedImage(300, 240, BufferedImage.TYPE_BYTE_GRAY);
        BufferedImage pattern = GoldenImages.pattern(300, 240);
        for (int y = 0; y < 240; y++) {
            for (int x = 0; x < 300; x++) {
                gray.getRaster().setSample(x, y, 0, pattern.getRGB(x, y) >> 16 & 0xFF);
            }
        }

        BufferedImage crop = PREPROCESSOR.resizeAndCrop(gray);

        for (int y = 0; y < 224; y += 7) {
            for (int x = 0; x < 224; x += 7) {
                int rgb = crop.getRGB(x, y);
                assertEquals(rgb >> 16 & 0xFF, rgb >> 8 & 0xFF, "G at (" + x + ", " + y + ")");
                assertEquals(rgb >> 16 & 0xFF, rgb & 0xFF, "B at (" + x + ", " + y + ")");
            }
        }
    }

    @Test
    void otherSizesGiveTheirCrop() {
        ImageNetPreprocessor inception = new ImageNetPreprocessor(342, 299);

        assertEquals(Shape.nchw(1, 3, 299, 299), inception.toTensor(GoldenImages.pattern(400, 300)).shape());
    }

    @Test
    void cropLargerThanResizeIsRejected() {
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> new ImageNetPreprocessor(224, 256));

        assertTrue(e.getMessage().contains("224") && e.getMessage().contains("256"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new ImageNetPreprocessor(256, 0));
    }

    @Test
    void standardUsesImageNetConstants() {
        assertSame(ImageNetPreprocessor.standard(), ImageNetPreprocessor.standard());
        assertEquals(256, ImageNetPreprocessor.standard().resize());
        assertEquals(224, ImageNetPreprocessor.standard().crop());
        assertEquals(0.485f, ImageNetPreprocessor.mean(0));
        assertEquals(0.225f, ImageNetPreprocessor.std(2));
    }

    /** The input both sides read losslessly: a golden PNG, the generated pattern, or cat_dog.png. */
    private static BufferedImage losslessInput(String name) {
        if (name.startsWith("pattern_")) {
            String[] size = name.substring("pattern_".length()).split("x");
            return GoldenImages.pattern(Integer.parseInt(size[0]), Integer.parseInt(size[1]));
        }
        if (name.equals("cat_dog")) {
            return ImageLoader.read(SharedTestData.file("images/classic/cat_dog.png"));
        }
        return GoldenImages.png("inputs/" + name + ".png");
    }

    /**
     * torchvision's tensor for an input, rebuilt from Pillow's crop through the table
     * ({@code make_golden.py} asserts that this reproduces torchvision's tensor bit for bit).
     */
    private static float[] torchvisionTensor(String name) {
        BufferedImage crop = GoldenImages.png(name + ".crop.png");
        int plane = 224 * 224;
        float[] out = new float[3 * plane];
        for (int p = 0; p < plane; p++) {
            int rgb = crop.getRGB(p % 224, p / 224);
            for (int c = 0; c < 3; c++) {
                out[c * plane + p] = TABLE[c * 256 + (rgb >> (16 - 8 * c) & 0xFF)];
            }
        }
        return out;
    }

    private static void assertSamePixels(BufferedImage expected, BufferedImage actual, String name) {
        assertEquals(expected.getWidth(), actual.getWidth(), name + " width");
        assertEquals(expected.getHeight(), actual.getHeight(), name + " height");
        int differing = 0;
        String first = null;
        for (int y = 0; y < expected.getHeight(); y++) {
            for (int x = 0; x < expected.getWidth(); x++) {
                int e = expected.getRGB(x, y) & 0xFFFFFF;
                int a = actual.getRGB(x, y) & 0xFFFFFF;
                if (e != a) {
                    differing++;
                    if (first == null) {
                        first = String.format("(%d, %d): Pillow %06x, ours %06x", x, y, e, a);
                    }
                }
            }
        }
        if (differing > 0) {
            fail(name + ": " + differing + " pixels differ from Pillow's, first at " + first);
        }
    }

    private static void assertMaxAbsDiff(float[] expected, float[] actual, double tolerance, String name) {
        assertEquals(expected.length, actual.length, name + " element count");
        for (int i = 0; i < expected.length; i++) {
            if (!(Math.abs(expected[i] - actual[i]) <= tolerance)) {
                fail(name + ": element " + i + " is " + actual[i] + ", torchvision " + expected[i]
                        + " (tolerance " + tolerance + ")");
            }
        }
    }

    @Test
    void cropBoxAndNormaliseAgreeWithResizeAndCropAndToTensor() {
        BufferedImage image = GoldenImages.pattern(522, 389);

        CropBox box = PREPROCESSOR.cropBox(522, 389);

        // torchvision: shorter side 389 -> 256, longer int(256 * 522 / 389) = 343; offsets round((343 - 224) / 2) = 60
        // (59.5 rounds half to even) and round(16.0) = 16.
        assertEquals(new CropBox(522, 389, 343, 256, 60, 16, 224), box);
        assertEquals(60 * 522.0 / 343, box.sourceX(0), 1e-12);
        assertEquals(0.0, box.cropX(box.sourceX(0)), 1e-12);
        assertArrayEquals(PREPROCESSOR.toTensor(image).data(), PREPROCESSOR.normalise(PREPROCESSOR.resizeAndCrop(image)).data());
    }
}
