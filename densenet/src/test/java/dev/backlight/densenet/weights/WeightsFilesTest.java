package dev.backlight.densenet.weights;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.backlight.api.Tensor;
import dev.backlight.api.Weights;
import dev.backlight.api.WeightsFormatException;
import dev.backlight.densenet.DenseNetConfig;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every format gives the same tensors: one seeded tiny DenseNet (growth 4, blocks (2, 2), 8
 * initial features, bottleneck 2, 5 classes) saved by PyTorch 1.13 and h5py in each format and
 * variant (see {@code fixtures/README.md}), read back and compared bit for bit with the same
 * tensors written as safetensors by the fixture script. Half and bfloat16 files are compared with
 * torch's own conversion of the tensors, widened back to float32; double with the float32 originals
 * (float to double and back is exact).
 */
class WeightsFilesTest {
    @TempDir
    Path dir;

    static Stream<Arguments> formats() {
        return Stream.of(
                Arguments.of("reference.safetensors", WeightsFileFormat.SAFETENSORS, "reference.safetensors"),
                Arguments.of("zip.pth", WeightsFileFormat.PYTORCH_ZIP, "reference.safetensors"),
                Arguments.of("pytorch_model.bin", WeightsFileFormat.PYTORCH_ZIP, "reference.safetensors"),
                Arguments.of("wrapped.pth.tar", WeightsFileFormat.PYTORCH_ZIP, "reference.safetensors"),
                Arguments.of("double.pth", WeightsFileFormat.PYTORCH_ZIP, "reference.safetensors"),
                Arguments.of("half.pth", WeightsFileFormat.PYTORCH_ZIP, "reference_half.safetensors"),
                Arguments.of("legacy.pth", WeightsFileFormat.PYTORCH_LEGACY, "reference.safetensors"),
                Arguments.of("legacy_2017.pth", WeightsFileFormat.PYTORCH_LEGACY, "reference.safetensors"),
                Arguments.of("model_state_dict.pt", WeightsFileFormat.PYTORCH_LEGACY, "reference.safetensors"),
                Arguments.of("bf16_legacy.pth", WeightsFileFormat.PYTORCH_LEGACY, "reference_bf16.safetensors"),
                Arguments.of("keras_imagenet.h5", WeightsFileFormat.KERAS_H5, "reference.safetensors"),
                Arguments.of("keras_model.h5", WeightsFileFormat.KERAS_H5, "reference.safetensors"),
                Arguments.of("keras3.weights.h5", WeightsFileFormat.KERAS_WEIGHTS_H5, "reference.safetensors"),
                Arguments.of("keras3_finetuned.weights.h5", WeightsFileFormat.KERAS_WEIGHTS_H5, "reference.safetensors"),
                Arguments.of("keras3.keras", WeightsFileFormat.KERAS_ARCHIVE, "reference.safetensors"),
                Arguments.of("keras3_deflated.keras", WeightsFileFormat.KERAS_ARCHIVE, "reference.safetensors"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("formats")
    void everyFormatReadsTheReferenceTensorsBitForBit(String fixture, WeightsFileFormat format, String reference) {
        LoadedWeights loaded = WeightsFiles.read(Fixtures.copy(fixture, dir));
        Weights expected = SafetensorsReader.read(Fixtures.copy(reference, dir, "expected-" + reference));

        assertEquals(format, loaded.format());
        assertEquals(5, loaded.numClasses());
        assertEquals(format.keras() ? 1.001e-5f : 1e-5f, loaded.bnEps());
        assertEquals(expected.names().stream().filter(n -> !n.endsWith("num_batches_tracked")).sorted().toList(),
                loaded.weights().names().stream().sorted().toList(), "tensor names");
        for (String name : loaded.weights().names()) {
            Tensor want = expected.asMap().get(name);
            Tensor got = loaded.weights().get(name, want.shape());
            assertArrayEquals(want.data(), got.data(), name);
        }
    }

    @Test
    void theReferenceIsWhatTheTorchFilesHoldNotAnEmptyAgreement() {
        // Guards the comparison above: the reference holds every parameter of the tiny DenseNet, with
        // distinct non-trivial values, and half precision really differs from float32.
        Weights reference = SafetensorsReader.read(Fixtures.copy("reference.safetensors", dir));
        Weights half = SafetensorsReader.read(Fixtures.copy("reference_half.safetensors", dir));
        // conv0 + norm0 (4), four dense layers of 2 norms (4 each) and 2 convs, a transition (norm and
        // conv), norm5, the classifier's weight and bias (the reader skips num_batches_tracked).
        assertEquals(1 + 4 + 4 * (2 * 4 + 2) + (4 + 1) + 4 + 2, reference.names().size());
        float[] w = reference.asMap().get("features.denseblock2.denselayer2.conv2.weight").data();
        assertFalse(java.util.Arrays.equals(w, half.asMap().get("features.denseblock2.denselayer2.conv2.weight").data()));
        assertTrue(java.util.Arrays.stream(new int[] {0, 1, 2}).mapToDouble(i -> w[i]).distinct().count() == 3);
    }

    @Test
    void findsTheArchitectureAndConfiguresTheModel() {
        LoadedWeights keras = WeightsFiles.read(Fixtures.copy("keras3.keras", dir));
        DenseNetConfig tiny = new DenseNetConfig("tiny", 4, new int[] {2, 2}, 8, 2, 1000, 1e-5f);

        DenseNetConfig found = keras.architecture().orElseThrow();
        assertTrue(found.sameFeatures(tiny), found.toString());
        assertEquals(5, found.numClasses());
        DenseNetConfig configured = keras.configure(tiny);
        assertEquals(5, configured.numClasses());
        assertEquals(1.001e-5f, configured.bnEps());
        assertEquals("tiny", configured.name());

        WeightsFormatException e = assertThrows(WeightsFormatException.class,
                () -> keras.configure(DenseNetConfig.DENSENET201));
        assertTrue(e.getMessage().contains("not densenet201"), e.getMessage());
    }

    @Test
    void theFormatComesFromTheBytesNotTheName() {
        assertEquals(WeightsFileFormat.PYTORCH_ZIP, WeightsFiles.detect(Fixtures.copy("zip.pth", dir, "model.h5")));
        assertEquals(WeightsFileFormat.PYTORCH_LEGACY,
                WeightsFiles.detect(Fixtures.copy("legacy.pth", dir, "model.safetensors")));
        assertEquals(WeightsFileFormat.KERAS_H5, WeightsFiles.detect(Fixtures.copy("keras3.weights.h5", dir, "w.pth")));
        assertEquals(WeightsFileFormat.KERAS_ARCHIVE, WeightsFiles.detect(Fixtures.copy("keras3.keras", dir, "w.zip")));
        assertEquals(WeightsFileFormat.SAFETENSORS,
                WeightsFiles.detect(Fixtures.copy("reference.safetensors", dir, "w.bin")));
        assertEquals(5, WeightsFiles.read(dir.resolve("w.pth")).numClasses());
    }

    @Test
    void viewsOfOneStorageKeepTheirOffsetsAndStrides() throws IOException {
        Weights expected = SafetensorsReader.read(Fixtures.copy("views_expected.safetensors", dir));
        for (Weights views : List.of(PyTorchCheckpointReader.readZip(Fixtures.copy("views.pth", dir)),
                PyTorchCheckpointReader.readLegacy(Fixtures.copy("views_legacy.pth", dir)))) {
            assertEquals(List.copyOf(expected.names()), List.copyOf(views.names()));
            for (Map.Entry<String, Tensor> e : expected.asMap().entrySet()) {
                assertArrayEquals(e.getValue().data(), views.get(e.getKey(), e.getValue().shape()).data(), e.getKey());
            }
        }
    }

    @Test
    void unrecognisedFilesNameTheFormatsRead() throws IOException {
        byte[] noise = new byte[4096];
        new Random(7).nextBytes(noise);
        noise[0] = 'x';
        Path file = Files.write(dir.resolve("noise.pth"), noise);
        WeightsFormatException e = assertThrows(WeightsFormatException.class, () -> WeightsFiles.read(file));
        assertTrue(e.getMessage().startsWith(file.toString()), e.getMessage());
        assertTrue(e.getMessage().contains(WeightsFiles.FORMATS_READ), e.getMessage());

        Path empty = Files.write(dir.resolve("empty.pth"), new byte[0]);
        assertTrue(assertThrows(WeightsFormatException.class, () -> WeightsFiles.read(empty)).getMessage()
                .contains(WeightsFiles.FORMATS_READ));

        Path folder = Files.createDirectory(dir.resolve("saved_model"));
        assertTrue(assertThrows(WeightsFormatException.class, () -> WeightsFiles.read(folder)).getMessage()
                .contains("folder"));

        Path missing = dir.resolve("missing.pth");
        assertTrue(assertThrows(WeightsFormatException.class, () -> WeightsFiles.read(missing)).getMessage()
                .contains("cannot read"));
    }

    @Test
    void refusesThePre2017TarFormat() throws IOException {
        byte[] tar = new byte[1024];
        byte[] name = "sys_info".getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(name, 0, tar, 0, name.length);
        System.arraycopy("ustar".getBytes(StandardCharsets.US_ASCII), 0, tar, 257, 5);
        Path file = Files.write(dir.resolve("old.pth"), tar);
        WeightsFormatException e = assertThrows(WeightsFormatException.class, () -> WeightsFiles.read(file));
        assertTrue(e.getMessage().contains("tar archive") && e.getMessage().contains("state_dict"), e.getMessage());
    }

    @Test
    void aZipThatIsNoCheckpointSaysWhatItIs() throws IOException {
        Path script = dir.resolve("scripted.pt");
        try (ZipOutputStream zip = new ZipOutputStream(Files.newOutputStream(script))) {
            zip.putNextEntry(new ZipEntry("scripted/code/__torch__/model.py"));
            zip.write("def forward(self, x): ...".getBytes(StandardCharsets.UTF_8));
            zip.putNextEntry(new ZipEntry("scripted/constants.pkl"));
            zip.write(new byte[] {(byte) 0x80, 2, ')', '.'});
        }
        WeightsFormatException e = assertThrows(WeightsFormatException.class, () -> WeightsFiles.read(script));
        assertTrue(e.getMessage().contains("TorchScript"), e.getMessage());

        Path other = dir.resolve("other.zip");
        try (OutputStream out = Files.newOutputStream(other); ZipOutputStream zip = new ZipOutputStream(out)) {
            zip.putNextEntry(new ZipEntry("readme.txt"));
            zip.write(1);
        }
        e = assertThrows(WeightsFormatException.class, () -> WeightsFiles.read(other));
        assertTrue(e.getMessage().contains("not a torch.save checkpoint"), e.getMessage());
    }

    @Test
    void aCheckpointWithoutClassifierIsRefusedByName() throws IOException {
        WeightsFormatException e = assertThrows(WeightsFormatException.class,
                () -> WeightsFiles.read(Fixtures.copy("views.pth", dir)));
        assertTrue(e.getMessage().contains("classifier.weight") && e.getMessage().contains("6 tensors"), e.getMessage());
    }
}
