package dev.backlight.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import dev.backlight.api.Shape;
import dev.backlight.api.io.Npy;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Ctrl-C during {@code explain} loses nothing. The real command runs in a child JVM over one image
 * and 12 arrays (DenseNet-121, seeded random weights, one input per batch); once the first array's
 * outputs appear, the child gets SIGINT. Then: it exits with 130 and one line that says to rerun
 * with {@code --resume}; every file in {@code --out} is complete (each {@code .npy} reads with its
 * shape, each JSON report parses, each PNG decodes) and no temporary file is left; and {@code
 * --resume} explains the rest, after which every output is byte for byte that of an uninterrupted
 * run.
 *
 * <p>A process started in the background by a non-interactive shell (as some CI runners start
 * Maven) inherits SIGINT as ignored, and the JVM keeps it so; the test then sends SIGTERM, which the
 * JVM handles the same way (exit code 143). Every wait is a poll with a deadline of a minute, not a
 * sleep tuned to a machine; the test takes about 15 s on 2 cores.
 */
class InterruptedRunTest {
    private static final int ARRAYS = 12;
    private static final int SIDE = 64;
    private static final long DEADLINE_MILLIS = 60_000;
    private static final int SIGINT_MASK = 1 << (2 - 1);

    @TempDir
    Path dir;

    @Test
    void anInterruptedRunLeavesOnlyCompleteFilesAndResumeFinishesIt() throws Exception {
        List<String> inputs = writeInputs();
        Path reference = dir.resolve("reference");
        Path out = dir.resolve("out");

        Cli.Result whole = Cli.run(arguments(reference, inputs).toArray(String[]::new));
        assertEquals(ExitCodes.OK, whole.exitCode(), whole::toString);
        List<String> expected = files(reference);
        assertEquals(1 + 4 + 3 * ARRAYS, expected.size(), "the run record, the image's 4 files, 3 per array: " + expected);

        Path stderr = dir.resolve("stderr.txt");
        Process child = start(arguments(out, inputs), stderr);
        try {
            awaitFile(child, out.resolve("x00.explain.json"), stderr);
            String signal = ignoresSigint(child.pid()) ? "TERM" : "INT";
            Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(child.pid())).inheritIO().start();
            assertEquals(0, kill.waitFor(), "kill -" + signal);
            assertTrue(child.waitFor(DEADLINE_MILLIS, TimeUnit.MILLISECONDS), "the child did not stop after SIG" + signal);

            String err = Files.readString(stderr, StandardCharsets.UTF_8);
            assertEquals(signal.equals("INT") ? ExitCodes.INTERRUPTED : 143, child.exitValue(), err);
            assertTrue(err.contains("backlight: interrupted") && err.contains("--resume"), err);
            assertFalse(err.contains("\tat "), err);
        } finally {
            child.destroyForcibly();
        }

        List<String> left = new ArrayList<>(files(out));
        assertTrue(left.remove(".backlight-run.json"), "the run's settings are recorded: " + left);
        for (String name : left) {
            assertFalse(name.startsWith(".") || name.contains("/.") || name.endsWith(".tmp"), "a temporary file: " + name);
            assertComplete(out.resolve(name));
        }
        long done = left.stream().filter(n -> n.endsWith(".explain.json")).count();
        assertTrue(done >= 2 && done < 1 + ARRAYS, "the interrupt should land mid-run; reports written: " + done);

        Cli.Result resumed = Cli.run(arguments(out, inputs, "--resume").toArray(String[]::new));
        assertEquals(ExitCodes.OK, resumed.exitCode(), resumed::toString);
        assertTrue(resumed.err().contains("resuming: skipped " + done + " of " + (1 + ARRAYS)), resumed::toString);
        assertEquals(expected, files(out));
        for (String name : expected) {
            assertEquals(-1, Files.mismatch(reference.resolve(name), out.resolve(name)), name + " differs");
        }
    }

    /**
     * SIGKILL runs no shutdown hook and can leave a hidden temporary file per output being written;
     * the next run deletes those in the folders it writes (it holds the folder's lock, so no live
     * run is writing them), and nothing else: not other hidden files, not temporary files in
     * folders it does not write, not one newer than its lock.
     */
    @Test
    void aRunDeletesTheTemporaryFilesAKilledRunLeftBesideItsOutputs() throws IOException {
        Path in = Files.createDirectories(dir.resolve("in/sub"));
        Npy.write(in.resolve("x.npy"), TestData.gaussian(Shape.of(1, 3, 32, 32), 3));
        Path out = Files.createDirectories(dir.resolve("out"));
        Files.createDirectories(out.resolve("sub"));
        Files.createDirectories(out.resolve("elsewhere"));
        FileTime killed = FileTime.fromMillis(System.currentTimeMillis() - 60_000);
        for (String name : new String[] {".backlight-7f3a9c0000000001.tmp", "sub/.backlight-00000000000000aa.tmp",
                "elsewhere/.backlight-00000000000000bb.tmp", ".notes.txt.tmp", "x.keep.tmp", ".x.logits.npy.7f3a9c.tmp"}) {
            Files.writeString(out.resolve(name), "half");
            Files.setLastModifiedTime(out.resolve(name), killed);
        }
        Files.writeString(out.resolve("sub/.backlight-00000000000000cc.tmp"), "written after the lock was taken");
        Files.setLastModifiedTime(out.resolve("sub/.backlight-00000000000000cc.tmp"),
                FileTime.fromMillis(System.currentTimeMillis() + 3_600_000));

        Cli.Result r = Cli.run("explain", "--weights", "random", "--model", "densenet121", "--resume", "--out",
                out.toString(), in.getParent().toString() + "/**.npy");

        assertEquals(ExitCodes.OK, r.exitCode(), r::toString);
        assertTrue(r.err().contains("deleted 2 temporary files in " + out), r::toString);
        assertEquals(List.of(".backlight-run.json", ".notes.txt.tmp", ".x.logits.npy.7f3a9c.tmp",
                "elsewhere/.backlight-00000000000000bb.tmp", "sub/.backlight-00000000000000cc.tmp", "sub/x.explain.json",
                "sub/x.guided-backprop.npy", "sub/x.logits.npy", "x.keep.tmp"), files(out));
    }

    /** One small PNG photo stand-in and {@value #ARRAYS} seeded arrays; the arguments naming them. */
    private List<String> writeInputs() throws IOException {
        Path in = Files.createDirectories(dir.resolve("in"));
        List<String> names = new ArrayList<>();
        BufferedImage noise = new BufferedImage(SIDE, SIDE, BufferedImage.TYPE_INT_RGB);
        SplittableRandom random = new SplittableRandom(11);
        for (int y = 0; y < SIDE; y++) {
            for (int x = 0; x < SIDE; x++) {
                noise.setRGB(x, y, random.nextInt(1 << 24));
            }
        }
        Path image = in.resolve("a.png");
        assertTrue(ImageIO.write(noise, "png", image.toFile()));
        names.add(image.toString());
        for (int i = 0; i < ARRAYS; i++) {
            Path array = in.resolve(String.format("x%02d.npy", i));
            Npy.write(array, TestData.gaussian(Shape.of(1, 3, SIDE, SIDE), 100 + i));
            names.add(array.toString());
        }
        return names;
    }

    private static List<String> arguments(Path out, List<String> inputs, String... more) {
        List<String> args = new ArrayList<>(List.of("explain", "--weights", "random:7", "--model", "densenet121",
                "--batch-size", "1", "--progress", "none", "--out", out.toString()));
        args.addAll(List.of(more));
        args.addAll(inputs);
        return args;
    }

    /** {@code backlight} in a child JVM with this test's class path, stdout discarded, stderr to a file. */
    private Process start(List<String> arguments, Path stderr) throws IOException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx2g", "-cp", System.getProperty("java.class.path"), Backlight.class.getName()));
        command.addAll(arguments);
        return new ProcessBuilder(command)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectError(stderr.toFile())
                .start();
    }

    private static void awaitFile(Process child, Path file, Path stderr) throws Exception {
        long deadline = System.currentTimeMillis() + DEADLINE_MILLIS;
        while (!Files.exists(file)) {
            assertTrue(child.isAlive(), () -> "the child ended (exit " + child.exitValue() + ") before " + file
                    + " appeared: " + read(stderr));
            assertTrue(System.currentTimeMillis() < deadline, () -> file + " did not appear within a minute: " + read(stderr));
            Thread.sleep(5);
        }
    }

    /** Whether process {@code pid} ignores SIGINT, from {@code /proc/<pid>/status} (false where there is none). */
    private static boolean ignoresSigint(long pid) throws IOException {
        Path status = Path.of("/proc", Long.toString(pid), "status");
        if (!Files.exists(status)) {
            return false;
        }
        for (String line : Files.readAllLines(status)) {
            if (line.startsWith("SigIgn:")) {
                return (Long.parseUnsignedLong(line.substring(7).trim(), 16) & SIGINT_MASK) != 0;
            }
        }
        return false;
    }

    /** A file of a finished output: arrays of the right shape, reports that parse, pictures that decode. */
    private static void assertComplete(Path file) throws IOException {
        String name = file.getFileName().toString();
        if (name.endsWith(".logits.npy")) {
            assertArrayEquals(new int[] {1, 1000}, Npy.read(file).shape().dims(), name);
        } else if (name.endsWith(".npy")) {
            assertArrayEquals(new int[] {1, 3, SIDE, SIDE}, Npy.read(file).shape().dims(), name);
        } else if (name.endsWith(".json")) {
            try (JsonParser p = new JsonFactory().createParser(file.toFile())) {
                while (p.nextToken() != null) {
                    p.skipChildren();
                }
            }
        } else if (name.endsWith(".png")) {
            BufferedImage picture = ImageIO.read(file.toFile());
            assertNotNull(picture, name);
            assertEquals(224, picture.getWidth(), name);
        } else {
            throw new AssertionError("an unexpected file: " + file);
        }
    }

    /** Every file below {@code root}, hidden ones included, relative and sorted. */
    private static List<String> files(Path root) throws IOException {
        try (Stream<Path> all = Files.walk(root)) {
            return all.filter(Files::isRegularFile).map(p -> root.relativize(p).toString()).sorted().toList();
        }
    }

    private static String read(Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "(cannot read " + file + ": " + e + ")";
        }
    }
}
