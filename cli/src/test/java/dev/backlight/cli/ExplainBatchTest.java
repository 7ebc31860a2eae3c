package dev.backlight.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.backlight.api.Tensor;
import dev.backlight.api.io.Npy;
import dev.backlight.render.ChannelReduction;
import dev.backlight.render.Colormap;
import dev.backlight.render.ContactSheet;
import dev.backlight.render.MapPictures;
import dev.backlight.render.MapSign;
import dev.backlight.render.MapStyle;
import dev.backlight.render.NormalisedMap;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code explain} over a folder: a corrupt file among good ones (the others complete, exit code 1,
 * the bad file named), {@code --resume}, globs, {@code --report}, {@code --save-raw} (checked
 * against the {@code .npy} specification), {@code --grid}, {@code --full-size}, and the drawing
 * options reaching the pictures. DenseNet-121 with seeded random weights keeps it quick.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ExplainBatchTest {
    private Path photos;

    @BeforeAll
    void makeFolder(@TempDir Path dir) throws IOException {
        photos = dir.resolve("photos");
        Files.createDirectories(photos.resolve("birds"));
        Files.createDirectories(photos.resolve(".thumbnails"));
        Files.copy(TestData.shared("images/lion.jpg"), photos.resolve("lion.jpg"));
        Files.copy(TestData.shared("images/owl.jpg"), photos.resolve("birds/owl.jpg"));
        byte[] parrot = Files.readAllBytes(TestData.shared("images/parrot.jpg"));
        Files.write(photos.resolve("birds/parrot.jpg"), Arrays.copyOf(parrot, parrot.length / 3));
        Files.writeString(photos.resolve("notes.txt"), "not an input\n");
        Files.copy(TestData.shared("images/owl.jpg"), photos.resolve(".thumbnails/hidden.jpg"));
    }

    private static Cli.Result explain(Path out, String... args) {
        List<String> all = new ArrayList<>(List.of("explain", "--weights", "random:4", "--model", "densenet121",
                "--out", out.toString()));
        all.addAll(Arrays.asList(args));
        return Cli.run(all.toArray(String[]::new));
    }

    private static final List<String> GOOD_OUTPUTS = List.of(".backlight-run.json",
            "birds/owl.explain.json", "birds/owl.guided-backprop.gray.png", "birds/owl.guided-backprop.heatmap.png",
            "birds/owl.guided-backprop.npy", "birds/owl.guided-backprop.overlay.png",
            "grid.png", "lion.explain.json", "lion.guided-backprop.gray.png", "lion.guided-backprop.heatmap.png",
            "lion.guided-backprop.npy", "lion.guided-backprop.overlay.png", "report.json");

    @Test
    void aFolderWithACorruptFileCompletesTheOthersAndExitsOne(@TempDir Path out) throws IOException {
        Cli.Result r = explain(out, "--save-raw", "--grid", "--batch-size", "2", "--report",
                out.resolve("report.json").toString(), photos.toString());

        assertEquals(ExitCodes.FAILURE, r.exitCode(), r::toString);
        assertEquals(1, r.errorLines().size(), r::toString);
        assertTrue(r.errorLines().get(0).contains(photos.resolve("birds/parrot.jpg").toString()), r::toString);
        assertTrue(r.err().contains("1 of 3 inputs failed"), r::toString);
        assertEquals(GOOD_OUTPUTS, files(out));
        assertTrue(r.out().contains("lion.jpg  (guided-backprop"), r::toString);
        assertTrue(r.out().contains("owl.jpg  (guided-backprop"), r::toString);

        List<String> statuses = Json.strings(out.resolve("report.json"), "inputs", "status");
        assertEquals(List.of("ok", "failed", "ok"), statuses);
        List<String> paths = Json.strings(out.resolve("report.json"), "inputs", "path");
        assertEquals(List.of(photos.resolve("birds/owl.jpg").toString(), photos.resolve("birds/parrot.jpg").toString(),
                photos.resolve("lion.jpg").toString()), paths);
        assertEquals(10, Json.ints(out.resolve("report.json"), "top5", "index").size(), "top-5 of the two good inputs");
        assertEquals("guided-backprop", Json.string(out.resolve("report.json"), "method"));
        assertEquals("cpu", Json.string(out.resolve("report.json"), "backend"));

        NpyFormat.Parsed raw = NpyFormat.parse(out.resolve("lion.guided-backprop.npy"));
        assertEquals("<f4", raw.descr());
        assertFalse(raw.fortran());
        assertArrayEquals(new int[] {1, 3, 224, 224}, raw.shape());
        assertArrayEquals(Npy.read(out.resolve("lion.guided-backprop.npy")).data(), raw.data());

        BufferedImage grid = ImageIO.read(out.resolve("grid.png").toFile());
        int rowHeight = ContactSheet.TILE + 16 + 4;
        assertEquals(4 + 2 * rowHeight + 32, grid.getHeight(), "two rows and room for the banner");

        resumeSkipsInputsWhoseOutputsExist(out);
    }

    /** Continues the run above: only the input with a missing output is explained again. */
    private void resumeSkipsInputsWhoseOutputsExist(Path out) throws IOException {
        Path lionMap = out.resolve("lion.guided-backprop.heatmap.png");
        FileTime before = FileTime.fromMillis(0);
        Files.setLastModifiedTime(lionMap, before);
        Files.delete(out.resolve("birds/owl.guided-backprop.gray.png"));

        Cli.Result r = explain(out, "--resume", "--save-raw", "--grid", photos.toString());

        assertEquals(ExitCodes.FAILURE, r.exitCode(), "the corrupt file still fails: " + r);
        assertTrue(r.err().contains("skipped 1 of 3 inputs"), r::toString);
        assertFalse(r.out().contains("lion.jpg"), r::toString);
        assertTrue(r.out().contains("owl.jpg"), r::toString);
        assertEquals(before, Files.getLastModifiedTime(lionMap), "a resumed run rewrote a finished output");
        assertTrue(Files.exists(out.resolve("birds/owl.guided-backprop.gray.png")));
    }

    @Test
    void aGlobSelectsFilesBelowItsBase(@TempDir Path out) {
        Cli.Result r = explain(out, "--render", "heatmap", photos + "/**/o*.jpg");

        assertEquals(ExitCodes.OK, r.exitCode(), r::toString);
        assertEquals(List.of(".backlight-run.json", "birds/owl.explain.json", "birds/owl.guided-backprop.heatmap.png"), files(out));
    }

    @Test
    void aGlobThatMatchesNothingIsAFailedInput(@TempDir Path out) {
        Cli.Result r = explain(out, photos + "/*.webp");

        assertEquals(ExitCodes.FAILURE, r.exitCode(), r::toString);
        assertEquals(1, r.errorLines().size(), r::toString);
        assertTrue(r.errorLines().get(0).contains("no image or .npy file matches"), r::toString);
        assertEquals(List.of(), TestData.contents(out));
    }

    /** The drawing options reach the pictures: the heat map is the raw map drawn in the chosen style. */
    @Test
    void drawingOptionsShapeThePictures(@TempDir Path out) throws IOException {
        Path lion = photos.resolve("lion.jpg");
        Cli.Result r = explain(out, "--render", "heatmap,overlay,rgb", "--save-raw", "--sign", "signed", "--reduce", "sum",
                "--colormap", "viridis", "--clip-percentile", "98", "--overlay-alpha", "0.3", "--full-size", lion.toString());

        assertEquals(ExitCodes.OK, r.exitCode(), r::toString);
        assertEquals(List.of(".backlight-run.json", "lion.explain.json", "lion.guided-backprop.heatmap.full.png", "lion.guided-backprop.heatmap.png",
                "lion.guided-backprop.npy", "lion.guided-backprop.overlay.full.png", "lion.guided-backprop.overlay.png",
                "lion.guided-backprop.rgb.png"), files(out));
        Tensor raw = Npy.read(out.resolve("lion.guided-backprop.npy"));
        MapStyle style = new MapStyle(ChannelReduction.SUM, MapSign.SIGNED, 98, Colormap.named("viridis"), 0.3);
        BufferedImage expected = MapPictures.heatmap(NormalisedMap.of(raw, style), style.colormap());
        BufferedImage heatmap = ImageIO.read(out.resolve("lion.guided-backprop.heatmap.png").toFile());
        int bannerRows = 20;
        for (int y = 0; y < 224 - bannerRows; y++) {
            for (int x = 0; x < 224; x++) {
                assertEquals(expected.getRGB(x, y), heatmap.getRGB(x, y), "heat map pixel (" + x + ", " + y + ")");
            }
        }
        BufferedImage full = ImageIO.read(out.resolve("lion.guided-backprop.overlay.full.png").toFile());
        assertEquals(1280, full.getWidth());
        assertEquals(960, full.getHeight());
        BufferedImage source = ImageIO.read(lion.toFile());
        assertEquals(source.getRGB(3, 3), full.getRGB(3, 3), "outside the crop the overlay shows the photo");
    }

    /** The relative paths of every file under {@code dir}. */
    private static List<String> files(Path dir) {
        try (Stream<Path> all = Files.walk(dir)) {
            return all.filter(Files::isRegularFile).map(p -> dir.relativize(p).toString().replace('\\', '/'))
                    .sorted().toList();
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }
}
