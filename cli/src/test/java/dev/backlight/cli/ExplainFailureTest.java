package dev.backlight.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.backlight.api.Shape;
import dev.backlight.api.Tensor;
import dev.backlight.api.backend.BackendProvider;
import dev.backlight.api.backend.Backends;
import dev.backlight.api.graph.Graph;
import dev.backlight.api.io.Npy;
import dev.backlight.densenet.DenseNet;
import dev.backlight.densenet.DenseNetConfig;
import dev.backlight.densenet.RandomWeights;
import dev.backlight.densenet.weights.SafetensorsWriter;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every way {@code explain} refuses to run: the exit code (2 for command-line mistakes, 1 for
 * anything else), exactly one {@code backlight: error:} line naming the problem, and an output
 * folder left empty, without temporary files. A bad input among good ones fails only itself.
 *
 * <p>{@code --backend nosuch} exits 1, not 2: backends are discovered at run time, so an unknown
 * name means the same as an unavailable backend (its jar is not on the class path).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ExplainFailureTest {
    private static final String MISSING_TENSOR = "features.denseblock2.denselayer3.norm1.running_var";

    private Path files;
    private Path goodArray;
    private Path goodWeights;
    private Map<String, Tensor> weights;

    @BeforeAll
    void writeInputs(@TempDir Path folder) {
        files = folder;
        goodArray = folder.resolve("x.npy");
        Npy.write(goodArray, TestData.gaussian(Shape.of(1, 3, 32, 32), 5));
        Graph graph = DenseNet.build(DenseNetConfig.DENSENET121, 32, 32);
        weights = RandomWeights.generate(graph, 1).asMap();
        goodWeights = folder.resolve("densenet121.safetensors");
        SafetensorsWriter.write(goodWeights, weights, null);
    }

    /** Runs explain with the given options and inputs into a fresh, empty output folder. */
    private static Failure explain(Path out, String... args) {
        List<String> all = new ArrayList<>(List.of("explain", "--model", "densenet121", "--out", out.toString()));
        all.addAll(Arrays.asList(args));
        return new Failure(Cli.run(all.toArray(String[]::new)), out);
    }

    private record Failure(Cli.Result result, Path out) {
        /** Checks the exit code, the single error line and its content, and the empty folder. */
        void expect(int exitCode, String... mentioned) {
            assertEquals(exitCode, result.exitCode(), result::toString);
            List<String> errors = result.errorLines();
            assertEquals(1, errors.size(), result::toString);
            for (String m : mentioned) {
                assertTrue(errors.get(0).contains(m), "the error line does not mention '" + m + "': " + errors.get(0));
            }
            assertFalse(result.err().contains("\tat "), "a stack trace without --verbose: " + result);
            assertEquals(List.of(), TestData.contents(out), "files were left in --out");
            assertEquals("", result.out(), "nothing may be printed on stdout");
        }
    }

    // ---- weights files (exit 1) --------------------------------------------------------------

    @Test
    void truncatedWeightsFile(@TempDir Path out) throws IOException {
        Path truncated = files.resolve("truncated.safetensors");
        byte[] bytes = Files.readAllBytes(goodWeights);
        Files.write(truncated, Arrays.copyOf(bytes, bytes.length / 2));

        explain(out, "--weights", truncated.toString(), goodArray.toString()).expect(ExitCodes.FAILURE, truncated.toString());
    }

    @Test
    void weightsFileWithoutOneTensor(@TempDir Path out) {
        Map<String, Tensor> incomplete = new LinkedHashMap<>(weights);
        incomplete.remove(MISSING_TENSOR);
        Path file = files.resolve("incomplete.safetensors");
        SafetensorsWriter.write(file, incomplete, null);

        explain(out, "--weights", file.toString(), goodArray.toString()).expect(ExitCodes.FAILURE, MISSING_TENSOR, file.toString());
    }

    @Test
    void weightsFileWithANegativeRunningVarianceIsRefusedByName(@TempDir Path out) {
        Map<String, Tensor> bad = new LinkedHashMap<>(weights);
        Tensor var = weights.get(MISSING_TENSOR).copy();
        var.data()[2] = -0.5f;
        bad.put(MISSING_TENSOR, var);
        Path file = files.resolve("negative-variance.safetensors");
        SafetensorsWriter.write(file, bad, null);

        explain(out, "--weights", file.toString(), goodArray.toString()).expect(ExitCodes.FAILURE, MISSING_TENSOR, "negative");
    }

    @Test
    void weightsFileWithAMisshapedTensor(@TempDir Path out) {
        Map<String, Tensor> wrong = new LinkedHashMap<>(weights);
        wrong.put("classifier.bias", Tensor.zeros(Shape.of(999)));
        Path file = files.resolve("misshaped.safetensors");
        SafetensorsWriter.write(file, wrong, null);

        explain(out, "--weights", file.toString(), goodArray.toString())
                .expect(ExitCodes.FAILURE, "classifier.bias", "[999]", "[1000]");
    }

    @Test
    void missingWeightsFile(@TempDir Path out) {
        Path none = files.resolve("none.safetensors");
        explain(out, "--weights", none.toString(), goodArray.toString()).expect(ExitCodes.FAILURE, none.toString());
    }

    // ---- inputs (exit 1) ---------------------------------------------------------------------

    @Test
    void textFileNamedLikeAJpeg(@TempDir Path out) throws IOException {
        Path fake = files.resolve("fake.jpg");
        Files.writeString(fake, "this is not a JPEG\n");

        explain(out, "--weights", "random", fake.toString()).expect(ExitCodes.FAILURE, fake.toString());
    }

    @Test
    void emptyImageFile(@TempDir Path out) throws IOException {
        Path empty = Files.createFile(files.resolve("empty.png"));

        explain(out, "--weights", "random", empty.toString()).expect(ExitCodes.FAILURE, empty.toString(), "empty");
    }

    @Test
    void truncatedImage(@TempDir Path out) throws IOException {
        Path half = files.resolve("half.jpg");
        byte[] lion = Files.readAllBytes(TestData.shared("images/lion.jpg"));
        Files.write(half, Arrays.copyOf(lion, lion.length / 2));

        explain(out, "--weights", "random", half.toString()).expect(ExitCodes.FAILURE, half.toString(), "truncated");
    }

    /** 49 KB on disk, 1.6 GB as RGB pixels: refused from its header (the library test times it). */
    @Test
    void decompressionBomb(@TempDir Path out) throws IOException {
        Path bomb = Files.write(files.resolve("bomb.png"), HostileFiles.onebitPng(20_000, 20_000));

        explain(out, "--weights", "random", bomb.toString()).expect(ExitCodes.FAILURE, bomb.toString(), "20000x20000",
                "400,000,000 pixels", "limit of 100,000,000", "decompression", "--max-pixels 400000000");
    }

    @Test
    void jpegDeclaringHugeDimensions(@TempDir Path out) throws IOException {
        Path huge = files.resolve("huge.jpg");
        Files.write(huge, HostileFiles.withJpegSize(Files.readAllBytes(TestData.shared("images/lion.jpg")), 65_000, 65_000));

        explain(out, "--weights", "random", huge.toString()).expect(ExitCodes.FAILURE, huge.toString(), "65000x65000",
                "--max-pixels 4225000000");
    }

    @Test
    void maxPixelsLowersTheLimit(@TempDir Path out) {
        Path lion = TestData.shared("images/lion.jpg");

        explain(out, "--weights", "random", "--max-pixels", "1228799", lion.toString())
                .expect(ExitCodes.FAILURE, lion.toString(), "1280x960", "limit of 1,228,799", "--max-pixels 1228800");
    }

    @Test
    void aBadInputIsSkippedAndTheOthersComplete(@TempDir Path out) throws IOException {
        Path fake = files.resolve("fake2.jpg");
        Files.writeString(fake, "this is not a JPEG\n");

        Cli.Result r = Cli.run("explain", "--model", "densenet121", "--out", out.toString(), "--weights", "random",
                fake.toString(), goodArray.toString());

        assertEquals(ExitCodes.FAILURE, r.exitCode(), r::toString);
        assertEquals(1, r.errorLines().size(), r::toString);
        assertTrue(r.errorLines().get(0).contains(fake.toString()), r::toString);
        assertTrue(r.err().contains("1 of 2 inputs failed"), r::toString);
        assertEquals(List.of(".backlight-run.json", "x.explain.json", "x.guided-backprop.npy", "x.logits.npy"), TestData.contents(out));
    }

    @Test
    void float64Array(@TempDir Path out) throws IOException {
        Path f8 = files.resolve("doubles.npy");
        Files.write(f8, float64Npy(Shape.of(1, 3, 32, 32)));

        explain(out, "--weights", "random", f8.toString()).expect(ExitCodes.FAILURE, f8.toString(), "<f8");
    }

    @Test
    void rank3Array(@TempDir Path out) {
        Path rank3 = files.resolve("rank3.npy");
        Npy.write(rank3, TestData.gaussian(Shape.of(3, 32, 32), 1));

        explain(out, "--weights", "random", rank3.toString()).expect(ExitCodes.FAILURE, rank3.toString(), "[3, 32, 32]");
    }

    @Test
    void arrayTooSmall(@TempDir Path out) {
        Path small = files.resolve("small.npy");
        Npy.write(small, TestData.gaussian(Shape.of(1, 3, 16, 32), 1));

        explain(out, "--weights", "random", small.toString()).expect(ExitCodes.FAILURE, small.toString(), "[1, 3, 16, 32]");
    }

    @Test
    void inputOfUnknownKind(@TempDir Path out) throws IOException {
        Path text = files.resolve("notes.txt");
        Files.writeString(text, "hello\n");

        explain(out, "--weights", "random", text.toString()).expect(ExitCodes.FAILURE, text.toString());
    }

    // ---- command-line mistakes (exit 2) ------------------------------------------------------

    @Test
    void classOutOfRange(@TempDir Path out) {
        explain(out, "--weights", "random", "--class", "1000", goodArray.toString()).expect(ExitCodes.USAGE, "--class 1000", "0..999");
        explain(out, "--weights", "random", "--class", "-1", goodArray.toString()).expect(ExitCodes.USAGE, "--class -1", "0..999");
    }

    @Test
    void topKOutOfRange(@TempDir Path out) {
        explain(out, "--weights", "random", "--top-k", "0", goodArray.toString()).expect(ExitCodes.USAGE, "--top-k 0");
    }

    @Test
    void classAndTopKTogether(@TempDir Path out) {
        explain(out, "--weights", "random", "--class", "1", "--top-k", "2", goodArray.toString())
                .expect(ExitCodes.USAGE, "--class", "--top-k", "mutually exclusive");
    }

    @Test
    void unknownMethod(@TempDir Path out) {
        explain(out, "--weights", "random", "--method", "nosuch", goodArray.toString())
                .expect(ExitCodes.USAGE, "nosuch", "guided-backprop", "gradient", "deconvnet");
    }

    @Test
    void unknownModel(@TempDir Path out) {
        Cli.Result r = Cli.run("explain", "--weights", "random", "--model", "resnet50", "--out", out.toString(),
                goodArray.toString());
        new Failure(r, out).expect(ExitCodes.USAGE, "resnet50", "densenet201");
    }

    @Test
    void missingWeightsOption(@TempDir Path out) {
        explain(out, goodArray.toString()).expect(ExitCodes.USAGE, "--weights FILE.safetensors", "--weights random");
    }

    @Test
    void badRandomSeed(@TempDir Path out) {
        explain(out, "--weights", "random:abc", goodArray.toString()).expect(ExitCodes.USAGE, "random:abc");
    }

    @Test
    void negativeThreads(@TempDir Path out) {
        explain(out, "--weights", "random", "--threads", "-1", goodArray.toString()).expect(ExitCodes.USAGE, "--threads");
    }

    @Test
    void badDrawingAndRunOptions(@TempDir Path out) {
        String x = goodArray.toString();
        explain(out, "--weights", "random", "--sign", "both", x).expect(ExitCodes.USAGE, "--sign both", "signed");
        explain(out, "--weights", "random", "--reduce", "mean", x).expect(ExitCodes.USAGE, "--reduce mean", "max-abs");
        explain(out, "--weights", "random", "--clip-percentile", "0", x).expect(ExitCodes.USAGE, "--clip-percentile");
        explain(out, "--weights", "random", "--overlay-alpha", "1.5", x).expect(ExitCodes.USAGE, "--overlay-alpha");
        explain(out, "--weights", "random", "--colormap", "jet", x).expect(ExitCodes.USAGE, "--colormap jet", "viridis");
        explain(out, "--weights", "random", "--render", "heatmap,pie", x).expect(ExitCodes.USAGE, "pie", "overlay");
        explain(out, "--weights", "random", "--background", "#12345", x).expect(ExitCodes.USAGE, "--background");
        explain(out, "--weights", "random", "--progress", "fancy", x).expect(ExitCodes.USAGE, "--progress fancy");
        explain(out, "--weights", "random", "--batch-size", "-2", x).expect(ExitCodes.USAGE, "--batch-size -2");
        explain(out, "--weights", "random", "--batch-size", "two", x).expect(ExitCodes.USAGE, "--batch-size", "two");
        explain(out, "--weights", "random", "--max-pixels", "0", x).expect(ExitCodes.USAGE, "--max-pixels 0", "not positive");
        explain(out, "--weights", "random", "--max-pixels", "-5", x).expect(ExitCodes.USAGE, "--max-pixels -5");
        explain(out, "--weights", "random", "--max-pixels", "lots", x).expect(ExitCodes.USAGE, "--max-pixels", "lots");
    }

    @Test
    void noInput(@TempDir Path out) {
        explain(out, "--weights", "random").expect(ExitCodes.USAGE, "INPUT");
    }

    @Test
    void anImageAndAnArrayWithTheSameStemInAFolder(@TempDir Path out) throws IOException {
        Path folder = Files.createDirectories(files.resolve("pair"));
        Path array = folder.resolve("y.npy");
        Npy.write(array, TestData.gaussian(Shape.of(1, 3, 32, 32), 7));
        Path image = Files.write(folder.resolve("y.png"), HostileFiles.onebitPng(64, 64));

        explain(out, "--weights", "random", folder + "/y.*")
                .expect(ExitCodes.USAGE, array.toString(), image.toString(), "y.explain.json");
    }

    @Test
    void twoInputsWithTheSameStem(@TempDir Path out) throws IOException {
        Path other = Files.createDirectories(files.resolve("elsewhere")).resolve("x.npy");
        Npy.write(other, TestData.gaussian(Shape.of(1, 3, 32, 32), 6));

        explain(out, "--weights", "random", goodArray.toString(), other.toString())
                .expect(ExitCodes.USAGE, goodArray.toString(), other.toString());
    }

    // ---- backends and the output folder (exit 1) ---------------------------------------------

    @Test
    void unknownBackend(@TempDir Path out) {
        explain(out, "--weights", "random", "--backend", "nosuch", goodArray.toString()).expect(ExitCodes.FAILURE, "nosuch");
    }

    @Test
    void unavailableCudaBackend(@TempDir Path out) {
        Optional<BackendProvider> cuda = Backends.providers().stream().filter(p -> p.name().equals("cuda")).findFirst();
        assumeTrue(cuda.isPresent(), "no cuda backend provider on the class path");
        assumeTrue(!cuda.get().availability().available(), "the cuda backend is available here");

        explain(out, "--weights", "random", "--backend", "cuda", goodArray.toString()).expect(ExitCodes.FAILURE, "cuda");
    }

    @Test
    void outputFolderIsAFile(@TempDir Path dir) throws IOException {
        Path file = Files.writeString(dir.resolve("taken"), "a file\n");
        Cli.Result r = Cli.run("explain", "--weights", "random", "--out", file.toString(), goodArray.toString());

        assertEquals(ExitCodes.FAILURE, r.exitCode(), r::toString);
        assertEquals(1, r.errorLines().size(), r::toString);
        assertTrue(r.errorLines().get(0).contains("not a directory"), r::toString);
        assertEquals(List.of("taken"), TestData.contents(dir));
    }

    @Test
    void outputFolderUnderAFile(@TempDir Path dir) throws IOException {
        Path file = Files.writeString(dir.resolve("taken"), "a file\n");
        Cli.Result r = Cli.run("explain", "--weights", "random", "--out", file.resolve("sub").toString(),
                goodArray.toString());

        assertFailedWithoutOutputs(r, "cannot create --out", "not a directory");
        assertEquals(List.of("taken"), TestData.contents(dir));
        assertEquals("a file\n", Files.readString(file));
    }

    /** A folder that even root cannot create: its name is longer than any file system allows (255 bytes). */
    @Test
    void outputFolderThatCannotBeCreated(@TempDir Path dir) {
        Path tooLong = dir.resolve("new").resolve("n".repeat(300));
        Cli.Result r = Cli.run("explain", "--weights", "random", "--out", tooLong.toString(), goodArray.toString());

        assertFailedWithoutOutputs(r, "cannot create --out");
        assertEquals(List.of(), TestData.contents(dir), "the parent created for the check is removed again");
    }

    /**
     * A read-only folder. Root ignores permission bits, so there the folder is writable and the test
     * is skipped: {@link #outputFolderThatCannotBeCreated} and {@link #outputFolderUnderAFile} fail
     * for root too, and the check is a real write, not a look at the bits.
     */
    @Test
    void readOnlyOutputFolder(@TempDir Path dir) throws IOException {
        Path readOnly = Files.createDirectories(dir.resolve("read-only"));
        Set<PosixFilePermission> before = Files.getPosixFilePermissions(readOnly);
        Files.setPosixFilePermissions(readOnly, PosixFilePermissions.fromString("r-xr-xr-x"));
        try {
            assumeFalse(canCreateFileIn(readOnly), "permission bits are not enforced for this user (root)");
            Cli.Result r = Cli.run("explain", "--weights", "random", "--out", readOnly.toString(), goodArray.toString());

            assertFailedWithoutOutputs(r, "--out " + readOnly + " is not writable", "permission denied");
            assertEquals(List.of(), TestData.contents(readOnly));
        } finally {
            Files.setPosixFilePermissions(readOnly, before);
        }
    }

    private static boolean canCreateFileIn(Path dir) {
        try {
            Files.delete(Files.createFile(dir.resolve("probe")));
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** Exit code 1, one error line mentioning each of {@code mentioned}, no stack trace, nothing on stdout. */
    private static void assertFailedWithoutOutputs(Cli.Result r, String... mentioned) {
        assertEquals(ExitCodes.FAILURE, r.exitCode(), r::toString);
        assertEquals(1, r.errorLines().size(), r::toString);
        for (String m : mentioned) {
            assertTrue(r.errorLines().get(0).contains(m), "the error line does not mention '" + m + "': " + r);
        }
        assertFalse(r.err().contains("\tat "), "a stack trace without --verbose: " + r);
        assertEquals("", r.out(), r::toString);
    }

    @Test
    void aFailedRunDoesNotCreateTheOutputFolder(@TempDir Path dir) {
        Path out = dir.resolve("new");
        Cli.Result r = Cli.run("explain", "--weights", "random", "--out", out.toString(), files.resolve("absent.npy").toString());

        assertEquals(ExitCodes.FAILURE, r.exitCode(), r::toString);
        assertFalse(Files.exists(out), "--out was created by a failed run");
    }

    @Test
    void verboseAddsTheStackTrace(@TempDir Path out) {
        Cli.Result r = Cli.run("explain", "--verbose", "--weights", "random", "--out", out.toString(),
                files.resolve("absent.npy").toString());

        assertEquals(ExitCodes.FAILURE, r.exitCode(), r::toString);
        assertEquals(1, r.errorLines().size(), r::toString);
        assertTrue(r.err().contains("\tat "), r::toString);
    }

    /** A version 1.0 .npy file of little-endian float64 zeros, as np.save writes it. */
    private static byte[] float64Npy(Shape shape) {
        int[] d = shape.dims();
        String dict = "{'descr': '<f8', 'fortran_order': False, 'shape': (" + d[0] + ", " + d[1] + ", " + d[2] + ", "
                + d[3] + "), }";
        int headerLength = (10 + dict.length() + 1 + 63) / 64 * 64 - 10;
        ByteBuffer b = ByteBuffer.allocate(10 + headerLength + 8 * shape.size()).order(ByteOrder.LITTLE_ENDIAN);
        b.put((byte) 0x93).put("NUMPY".getBytes(StandardCharsets.US_ASCII)).put((byte) 1).put((byte) 0);
        b.putShort((short) headerLength);
        b.put(dict.getBytes(StandardCharsets.US_ASCII));
        for (int i = dict.length(); i < headerLength - 1; i++) {
            b.put((byte) ' ');
        }
        b.put((byte) '\n');
        return b.array();
    }
}
