package dev.backlight.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.backlight.api.Shape;
import dev.backlight.api.io.Npy;
import dev.backlight.render.ContactSheet;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 16, in-process: one input never sinks a run (a name at the length limit, outputs too long
 * for the file system), runs that share a folder (a second run is refused while the first writes;
 * {@code --resume} with other settings is refused; {@code --grid} on resume has the earlier rows;
 * {@code --out} inside an input folder is not searched), a full disk (said so, no folder left),
 * and Ctrl-C during a download (said so). Each case failed before its fix, as its comment says.
 * DenseNet-121 with seeded random weights on small arrays keeps it quick.
 */
class ReliabilityTest {
    @TempDir
    Path dir;

    private static Cli.Result explain(Path out, String... args) {
        List<String> all = new ArrayList<>(List.of("explain", "--weights", "random:3", "--model", "densenet121",
                "--progress", "none", "--out", out.toString()));
        all.addAll(Arrays.asList(args));
        return Cli.run(all.toArray(String[]::new));
    }

    /** A seeded array; written under a short name and renamed, so that a long name does not depend on the code under test. */
    private Path array(String name, long seed) throws IOException {
        Path file = dir.resolve("in").resolve(name);
        Files.createDirectories(file.getParent());
        Path written = dir.resolve("in").resolve("writing.tmp");
        Npy.write(written, TestData.gaussian(Shape.of(1, 3, 32, 32), seed));
        Files.move(written, file);
        return file;
    }

    /**
     * An input whose outputs have legal names, up to 239 bytes, is written; it used to fail the
     * whole run, the temporary name (the output's plus 22 bytes) being too long. An input whose
     * outputs are too long for the file system fails alone, named, and the others complete.
     */
    @Test
    void aLongNameFailsOnlyItsOwnInputAndOnlyWhenItsOutputsAreTooLong() throws IOException {
        String near = "n".repeat(219); // its longest output, <name>.guided-backprop.npy, is 239 bytes
        String far = "f".repeat(240); // 260 bytes
        for (String name : List.of("a", far, near, "z")) {
            array(name + ".npy", name.hashCode());
        }
        Path out = dir.resolve("out");

        Cli.Result r = explain(out, dir.resolve("in") + "/*.npy");

        assertEquals(ExitCodes.FAILURE, r.exitCode(), r::toString);
        assertEquals(1, r.errorLines().size(), r::toString);
        String line = r.errorLines().get(0);
        assertTrue(line.contains(far + ".npy") && line.contains("longer than the file system allows"), line);
        assertTrue(r.err().contains("1 of 4 inputs failed"), r::toString);
        List<String> expected = new ArrayList<>(List.of(".backlight-run.json"));
        for (String name : List.of("a", near, "z")) {
            expected.addAll(List.of(name + ".explain.json", name + ".guided-backprop.npy", name + ".logits.npy"));
        }
        expected.sort(null);
        assertEquals(expected, TestData.contents(out), "everything but the long one's outputs, and no temporary file");
    }

    /**
     * {@code --resume} with other weights (or another method) is refused, naming what differs; it
     * used to explain the rest with them, mixing two models' maps in one folder. {@code
     * --resume-anyway} mixes them when that is what is wanted.
     */
    @Test
    void resumingWithOtherSettingsIsRefusedUnlessAsked() throws IOException {
        Path a = array("a.npy", 1);
        Path b = array("b.npy", 2);
        Path out = dir.resolve("out");
        assertEquals(ExitCodes.OK, explain(out, a.toString()).exitCode());
        List<String> before = files(out);

        Cli.Result otherWeights = Cli.run("explain", "--weights", "random:4", "--model", "densenet121", "--resume",
                "--out", out.toString(), a.toString(), b.toString());
        Cli.Result otherMethod = explain(out, "--resume", "--method", "gradient", a.toString(), b.toString());

        assertEquals(ExitCodes.FAILURE, otherWeights.exitCode(), otherWeights::toString);
        assertEquals(1, otherWeights.errorLines().size(), otherWeights::toString);
        assertTrue(otherWeights.errorLines().get(0).contains("weights: random:3 then, random:4 now")
                && otherWeights.errorLines().get(0).contains("--resume-anyway"), otherWeights::toString);
        assertEquals(ExitCodes.FAILURE, otherMethod.exitCode(), otherMethod::toString);
        assertTrue(otherMethod.errorLines().get(0).contains("method: guided-backprop then, gradient now"),
                otherMethod::toString);
        assertEquals(before, files(out), "nothing was written");

        Cli.Result same = explain(out, "--resume", a.toString(), b.toString());
        assertEquals(ExitCodes.OK, same.exitCode(), same::toString);
        assertTrue(same.err().contains("skipped 1 of 2"), same::toString);

        Files.delete(out.resolve("b.explain.json"));
        Cli.Result anyway = Cli.run("explain", "--weights", "random:4", "--model", "densenet121", "--resume-anyway",
                "--out", out.toString(), a.toString(), b.toString());
        assertEquals(ExitCodes.OK, anyway.exitCode(), anyway::toString);
        assertTrue(anyway.err().contains("warning: resuming although") && anyway.err().contains("random:3 then"),
                anyway::toString);
        assertTrue(Json.string(out.resolve("b.explain.json"), "weights").equals("random:4"));
    }

    /**
     * {@code --grid} on resume draws the rows of the earlier run's images too, from their files: the
     * grid of an interrupted and resumed run is that of an uninterrupted one, byte for byte. It used
     * to hold only the rows explained by the resumed run.
     */
    @Test
    void theGridOfAResumedRunIsTheGridOfAnUninterruptedOne() throws IOException {
        Path photos = Files.createDirectories(dir.resolve("photos"));
        SplittableRandom random = new SplittableRandom(5);
        for (String name : List.of("a", "b", "c")) {
            BufferedImage image = new BufferedImage(40, 30, BufferedImage.TYPE_INT_RGB);
            for (int y = 0; y < 30; y++) {
                for (int x = 0; x < 40; x++) {
                    image.setRGB(x, y, random.nextInt(1 << 24));
                }
            }
            assertTrue(ImageIO.write(image, "png", photos.resolve(name + ".png").toFile()));
        }
        Path reference = dir.resolve("reference");
        Path out = dir.resolve("out");
        assertEquals(ExitCodes.OK, explain(reference, "--grid", photos.toString()).exitCode());
        assertEquals(ExitCodes.OK, explain(out, "--grid", photos.toString()).exitCode());
        // As if the run had stopped after a and c: b's report and the grid are missing.
        Files.delete(out.resolve("b.explain.json"));
        Files.delete(out.resolve("grid.png"));

        Cli.Result resumed = explain(out, "--grid", "--resume", photos.toString());

        assertEquals(ExitCodes.OK, resumed.exitCode(), resumed::toString);
        assertTrue(resumed.err().contains("skipped 2 of 3"), resumed::toString);
        BufferedImage grid = ImageIO.read(out.resolve("grid.png").toFile());
        assertEquals(4 + 3 * (ContactSheet.TILE + 16 + 4) + 32, grid.getHeight(), "three rows and the banner");
        assertEquals(-1, Files.mismatch(reference.resolve("grid.png"), out.resolve("grid.png")),
                "the resumed grid differs from the uninterrupted one");
    }

    /**
     * An output folder inside the folder searched is not searched: a second run over the folder
     * explains the same two photos and not the first run's pictures. It used to take them as inputs.
     */
    @Test
    void anOutputFolderInsideTheInputFolderIsNotSearched() throws IOException {
        Path photos = Files.createDirectories(dir.resolve("photos"));
        for (String name : List.of("a", "b")) {
            BufferedImage image = new BufferedImage(32, 32, BufferedImage.TYPE_INT_RGB);
            image.setRGB(3, 4, name.hashCode());
            assertTrue(ImageIO.write(image, "png", photos.resolve(name + ".png").toFile()));
        }
        Path out = photos.resolve("out");
        Cli.Result first = explain(out, "--render", "gray", photos.toString());
        List<String> written = files(out);

        Cli.Result again = explain(out, "--render", "gray", photos.toString());
        Cli.Result resumed = explain(out, "--render", "gray", "--resume", photos.toString());

        assertEquals(ExitCodes.OK, first.exitCode(), first::toString);
        assertTrue(written.containsAll(List.of("a.explain.json", "a.guided-backprop.gray.png", "b.explain.json",
                "b.guided-backprop.gray.png")), written::toString);
        assertEquals(ExitCodes.OK, again.exitCode(), again::toString);
        assertEquals(2, again.out().lines().filter(l -> l.endsWith("backend cpu)")).count(), again::toString);
        assertEquals(written, files(out), "the second run explained the first run's pictures");
        assertEquals(ExitCodes.OK, resumed.exitCode(), resumed::toString);
        assertTrue(resumed.err().contains("skipped 2 of 2"), resumed::toString);
    }

    /**
     * A second run into the folder a first run is writing is refused at once, naming the first (its
     * process id), and the first completes untouched. It used to run beside it and delete the
     * first's temporary files as "left by a killed run", failing the first. The first runs in a
     * child JVM on the instant test backend, slowed to 300 ms an input.
     */
    @Test
    void aSecondRunIntoTheSameFolderIsRefusedWhileTheFirstWrites() throws Exception {
        List<String> inputs = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            inputs.add(array("x" + i + ".npy", i).toString());
        }
        Path out = dir.resolve("out");
        List<String> args = new ArrayList<>(List.of("explain", "--backend", "instant", "--weights", "random",
                "--model", "densenet121", "--batch-size", "1", "--progress", "none", "--out", out.toString()));
        args.addAll(inputs);
        java.util.concurrent.CompletableFuture<ChildJvm.Result> first = java.util.concurrent.CompletableFuture.supplyAsync(
                () -> {
                    try {
                        return ChildJvm.backlight(dir.resolve("first"), List.of("-Xmx512m",
                                "-Dbacklight.test.instant.delayMillis=300"), true, args, 300);
                    } catch (IOException | InterruptedException e) {
                        throw new IllegalStateException(e);
                    }
                });
        long deadline = System.currentTimeMillis() + 120_000;
        while (!Files.exists(out.resolve("x0.explain.json"))) {
            assertFalse(first.isDone(), () -> "the first run ended early: " + first.join());
            assertTrue(System.currentTimeMillis() < deadline, "the first run wrote nothing in two minutes");
            Thread.sleep(20);
        }

        Cli.Result second = explain(out, inputs.get(0));
        ChildJvm.Result firstResult = first.get(300, TimeUnit.SECONDS);

        assertEquals(ExitCodes.FAILURE, second.exitCode(), second::toString);
        assertEquals(1, second.errorLines().size(), second::toString);
        assertTrue(second.errorLines().get(0).matches(".*another backlight run \\(process \\d+, started .*\\) is writing"
                + " into --out .*; wait for it to finish, or choose another --out folder"), second::toString);
        assertEquals(0, firstResult.exitCode(), firstResult::toString);
        List<String> left = files(out);
        assertEquals(1 + 3 * inputs.size(), left.size(), left::toString);
        assertTrue(left.stream().noneMatch(n -> n.endsWith(".tmp") || n.equals(OutputLock.NAME)), left::toString);
    }

    /**
     * A full disk stops the run with one line that says so, names the folder and the free space; a
     * folder the run created is removed again when nothing was completed in it. It used to say
     * "check that the directory exists and is writable" and leave the folder. Needs a small tmpfs,
     * which only root can mount: skipped elsewhere.
     */
    @Test
    void aFullDiskIsSaidSoAndLeavesNoFolder() throws Exception {
        Path small = Files.createDirectories(dir.resolve("small"));
        Process mount = new ProcessBuilder("mount", "-t", "tmpfs", "-o", "size=32k", "tmpfs", small.toString())
                .redirectErrorStream(true).start();
        boolean mounted = mount.waitFor(30, TimeUnit.SECONDS) && mount.exitValue() == 0;
        assumeTrue(mounted, () -> "cannot mount a 32 KiB tmpfs (needs root): " + read(mount));
        try {
            Path input = Files.createDirectories(dir.resolve("in")).resolve("x.npy");
            Npy.write(input, TestData.gaussian(Shape.of(1, 3, 64, 64), 7)); // a 48 KiB map cannot fit
            Path out = small.resolve("sub");

            Cli.Result r = explain(out, input.toString());

            assertEquals(ExitCodes.FAILURE, r.exitCode(), r::toString);
            assertEquals(1, r.errorLines().size(), r::toString);
            assertTrue(r.errorLines().get(0).contains("the disk is full: cannot write in " + out.toAbsolutePath()),
                    r::toString);
            assertTrue(r.errorLines().get(0).contains("bytes free") && r.errorLines().get(0).contains("--resume"),
                    r::toString);
            assertFalse(r.err().contains("check that"), r::toString);
            assertEquals(List.of(), TestData.contents(small), "the folder the run created is gone");
        } finally {
            new ProcessBuilder("umount", small.toString()).inheritIO().start().waitFor(30, TimeUnit.SECONDS);
        }
    }

    /**
     * Ctrl-C while the weights download says what it stopped (the download; nothing was cached),
     * not that the outputs are complete; it used to give the advice about outputs and --resume.
     */
    @Test
    void aStopDuringTheDownloadSaysItStoppedTheDownload() {
        Interruption.advise("the outputs in out are complete; run the same command with --resume to do the rest");
        DownloadProgress progress = new DownloadProgress(dev.backlight.cli.progress.Progress.Mode.NONE,
                new java.io.PrintWriter(new java.io.StringWriter()));

        progress.started("densenet201 weights", 1000);
        String during = Interruption.advice();
        progress.finished(true);

        assertTrue(during.contains("the download of the densenet201 weights was stopped") && during.contains("nothing was"
                + " cached"), during);
        assertFalse(during.contains("--resume"), during);
        assertTrue(Interruption.advice().contains("--resume"), "the advice about outputs is back after the download");
        Interruption.advise(null);
    }

    private static String read(Process p) {
        try {
            return new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        } catch (IOException e) {
            return e.toString();
        }
    }

    /** Every file below {@code root}, hidden ones included, relative and sorted. */
    private static List<String> files(Path root) throws IOException {
        try (Stream<Path> all = Files.walk(root)) {
            return all.filter(Files::isRegularFile).map(p -> root.relativize(p).toString()).sorted().toList();
        }
    }
}
