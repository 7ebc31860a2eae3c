package dev.backlight.densenet.imagenet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.backlight.api.Shape;
import dev.backlight.api.Tensor;
import java.awt.image.BufferedImage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link ImageNetPreprocessor#keras()} against Pillow 9.4 running Keras' two preprocessing steps
 * ({@code load_img(target_size=(224, 224))}, nearest; {@code preprocess_input}), golden files made
 * by {@code make_keras_golden.py}: Pillow's choice of source pixel for every output row and column
 * at seven sizes (down, up, unchanged), the resized lion photos bit for bit, and numpy's float32
 * normalisation of every channel value.
 */
class ImageNetPreprocessorKerasTest {
    private static final ImageNetPreprocessor KERAS = ImageNetPreprocessor.keras();
    /** The sizes of {@code nearest_indices.npy}, in its order. */
    private static final int[][] SIZES = {{300, 200}, {180, 250}, {522, 389}, {1000, 700}, {97, 61}, {224, 224},
        {672, 224}};

    @Test
    void picksTheSourcePixelsPillowPicks() {
        NpyFloat32 golden = GoldenImages.npy("keras/nearest_indices.npy");
        for (int i = 0; i < SIZES.length; i++) {
            int w = SIZES[i][0];
            int h = SIZES[i][1];
            // Each pixel holds its own coordinates: x in the low 12 bits, y above.
            int[] coordinates = new int[w * h];
            for (int p = 0; p < coordinates.length; p++) {
                coordinates[p] = (p / w) << 12 | p % w;
            }
            int[] out = PillowNearestResampler.resize(coordinates, w, h, 224, 224);
            for (int k = 0; k < 224; k++) {
                int expectedColumn = (int) golden.data()[(i * 2) * 224 + k];
                int expectedRow = (int) golden.data()[(i * 2 + 1) * 224 + k];
                assertEquals(expectedColumn, out[k] & 0xfff, w + "x" + h + " column " + k);
                assertEquals(expectedRow, out[k * 224] >> 12, w + "x" + h + " row " + k);
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"lion_300x200", "lion_180x250"})
    void resizesPhotosBitIdenticalToPillow(String name) {
        BufferedImage resized = KERAS.resizeAndCrop(GoldenImages.png("inputs/" + name + ".png"));
        BufferedImage expected = GoldenImages.png("keras/" + name + ".png");
        assertEquals(224, resized.getWidth());
        assertEquals(224, resized.getHeight());
        for (int y = 0; y < 224; y++) {
            for (int x = 0; x < 224; x++) {
                assertEquals(expected.getRGB(x, y) & 0xffffff, resized.getRGB(x, y) & 0xffffff, name + " at " + x + "," + y);
            }
        }
    }

    @Test
    void normalisesAsKerasDoes() {
        float[] table = GoldenImages.npy("keras/normalize_table.npy").data();
        BufferedImage resized = GoldenImages.png("keras/lion_300x200.png");
        Tensor tensor = KERAS.toTensor(GoldenImages.png("inputs/lion_300x200.png"));
        assertEquals(Shape.nchw(1, 3, 224, 224), tensor.shape());
        int plane = 224 * 224;
        for (int p = 0; p < plane; p++) {
            int rgb = resized.getRGB(p % 224, p / 224);
            for (int c = 0; c < 3; c++) {
                float expected = table[c * 256 + (rgb >> (16 - 8 * c) & 0xff)];
                // numpy's float32 arithmetic and Java's agree to the bit on JDK 17; 1e-6 as in ImageNetPreprocessorTest.
                assertEquals(expected, tensor.data()[c * plane + p], 1e-6f, "channel " + c + " pixel " + p);
            }
        }
    }

    @Test
    void theWholeImageIsTheCrop() {
        CropBox box = KERAS.cropBox(300, 200);
        assertEquals(new CropBox(300, 200, 224, 224, 0, 0, 224), box);
        assertEquals(0.0, box.sourceX(0), 0);
        assertEquals(300.0, box.sourceX(224), 1e-9);
        assertEquals(200.0, box.sourceY(224), 1e-9);
        // Tiny images are enlarged, not refused as torchvision's crop refuses nothing either.
        assertEquals(224, KERAS.resizeAndCrop(new BufferedImage(3, 2, BufferedImage.TYPE_INT_RGB)).getWidth());
    }

    @Test
    void isChosenByName() {
        assertSame(ImageNetPreprocessor.keras(), ImageNetPreprocessor.byName("keras"));
        assertSame(ImageNetPreprocessor.standard(), ImageNetPreprocessor.byName("TorchVision"));
        assertEquals("keras", KERAS.name());
        assertEquals("torchvision", ImageNetPreprocessor.standard().name());
        assertEquals("torchvision", new ImageNetPreprocessor(342, 299).name());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ImageNetPreprocessor.byName("caffe"));
        assertTrue(e.getMessage().contains("torchvision") && e.getMessage().contains("keras"), e.getMessage());
    }
}
