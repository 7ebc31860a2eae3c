package dev.backlight.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.backlight.api.Shape;
import dev.backlight.api.Tensor;
import dev.backlight.api.io.Npy;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 16: batches bound memory everywhere, and running out of it is said for what it is. Each case
 * runs {@code backlight explain} in a child JVM with a small heap ({@link ChildJvm}), on the instant
 * test backend where the model's arithmetic does not matter and on the CPU backend where it does.
 */
class HeapLimitsTest {
    @TempDir
    Path dir;

    /**
     * A {@code .npy} array is explained {@code --batch-size} images at a time: the instant backend
     * refuses batches larger than 2, and an array of 7 images runs as 2 + 2 + 2 + 1. It used to run
     * as one batch of 7, whatever {@code --batch-size} said.
     */
    @Test
    void anArrayIsSplitIntoBatches() throws Exception {
        Path array = dir.resolve("x.npy");
        Tensor pixels = TestData.gaussian(Shape.of(7, 3, 32, 32), 11);
        Npy.write(array, pixels);
        Path out = dir.resolve("out");

        ChildJvm.Result r = ChildJvm.backlight(dir.resolve("child"), List.of("-Xmx256m",
                "-Dbacklight.test.instant.maxBatch=2"), true, List.of("explain", "--backend", "instant", "--weights",
                "random", "--model", "densenet121", "--batch-size", "2", "--top-k", "2", "--out", out.toString(),
                array.toString()), 300);

        assertEquals(0, r.exitCode(), r::toString);
        assertArrayEquals(new int[] {7, 1000}, Npy.read(out.resolve("x.logits.npy")).shape().dims());
        Tensor top2 = Npy.read(out.resolve("x.guided-backprop.top2.npy"));
        assertArrayEquals(new int[] {7, 3, 32, 32}, top2.shape().dims());
        // The instant backend's map is the input times a factor of the explained class: images stay in order.
        for (int i = 0; i < 7; i++) {
            float[] in = pixels.slice(i, i + 1).data();
            float[] map = top2.slice(i, i + 1).data();
            double dot = 0;
            double norm = 0;
            for (int j = 0; j < in.length; j++) {
                dot += (double) in[j] * map[j];
                norm += (double) in[j] * in[j];
            }
            double factor = dot / norm;
            for (int j = 0; j < in.length; j++) {
                assertEquals(in[j] * factor, map[j], 1e-4 * Math.abs(map[j]) + 1e-6, "image " + i + " element " + j);
            }
        }
    }

    /**
     * The case, scaled down: an array of 6 images of 224×224 with {@code --batch-size 1} and
     * a heap of 400 MiB, on the CPU backend. As one batch of 6 (about 360 MiB of activations beside
     * the model) it ran out of memory; one at a time it completes, and the first image's map is the
     * one an in-process run of that image alone computes, bit for bit (the CPU backend's results do
     * not depend on the batch).
     */
    @Test
    void anArrayLargerThanTheHeapCanRunAtOnceRunsOneImageAtATime() throws Exception {
        Path array = dir.resolve("x.npy");
        Tensor pixels = TestData.gaussian(Shape.of(6, 3, 224, 224), 12);
        Npy.write(array, pixels);
        Path first = dir.resolve("first.npy");
        Npy.write(first, pixels.slice(0, 1));
        Path out = dir.resolve("out");

        ChildJvm.Result r = ChildJvm.backlight(dir.resolve("child"), List.of("-Xmx400m"), false, List.of("explain",
                "--backend", "cpu", "--weights", "random:2", "--model", "densenet121", "--batch-size", "1", "--out",
                out.toString(), array.toString()), 600);
        Cli.Result alone = Cli.run("explain", "--backend", "cpu", "--weights", "random:2", "--model", "densenet121",
                "--out", dir.resolve("alone").toString(), first.toString());

        assertEquals(0, r.exitCode(), r::toString);
        assertEquals(ExitCodes.OK, alone.exitCode(), alone::toString);
        Tensor maps = Npy.read(out.resolve("x.guided-backprop.npy"));
        assertArrayEquals(new int[] {6, 3, 224, 224}, maps.shape().dims());
        assertArrayEquals(Npy.read(dir.resolve("alone/first.guided-backprop.npy")).data(), maps.slice(0, 1).data());
    }

    /**
     * An image that declares no more pixels than {@code --max-pixels} but more than the heap can
     * decode (a 49 KB PNG of 20000×20000, 400 megapixels, 1.6 GB decoded, with a heap of 256 MiB) is
     * refused from its header, named, with the heap it needs; the other image completes. It used to
     * run out of memory decoding it, and the run ended with a message blaming the batch size that
     * named no file, the good image getting nothing.
     */
    @Test
    void anImageTooLargeForTheHeapFailsAloneAndIsNamed() throws Exception {
        Path in = Files.createDirectories(dir.resolve("in"));
        Files.write(in.resolve("huge.png"), HostileFiles.onebitPng(20000, 20000));
        BufferedImage small = new BufferedImage(40, 40, BufferedImage.TYPE_INT_RGB);
        small.setRGB(5, 5, 0xff8800);
        assertTrue(ImageIO.write(small, "png", in.resolve("small.png").toFile()));
        Path out = dir.resolve("out");

        ChildJvm.Result r = ChildJvm.backlight(dir.resolve("child"), List.of("-Xmx256m"), true, List.of("explain",
                "--backend", "instant", "--weights", "random", "--model", "densenet121", "--max-pixels", "500000000",
                "--out", out.toString(), in.toString()), 300);

        assertEquals(ExitCodes.FAILURE, r.exitCode(), r::toString);
        List<String> errors = r.err().lines().filter(l -> l.startsWith(FailureReporter.PREFIX)).toList();
        assertEquals(1, errors.size(), r::toString);
        assertTrue(errors.get(0).contains(in.resolve("huge.png").toString()) && errors.get(0).contains("20000x20000")
                && errors.get(0).contains("decoding it needs about") && errors.get(0).contains("-Xmx"), errors::toString);
        assertFalse(r.err().contains("--batch-size"), r::toString);
        assertTrue(r.err().contains("1 of 2 inputs failed"), r::toString);
        assertEquals(List.of(".backlight-run.json", "small.explain.json", "small.guided-backprop.gray.png",
                "small.guided-backprop.heatmap.png", "small.guided-backprop.overlay.png"), TestData.contents(out));
    }

    /**
     * Out of memory while compiling the model (a heap of 128 MiB for DenseNet-121 at 224×224) stops
     * the run with a message that asks for more heap and does not blame {@code --batch-size}, which
     * cannot help (the batch is one image); it used to advise a smaller batch size.
     */
    @Test
    void outOfMemoryCompilingTheModelDoesNotBlameTheBatchSize() throws Exception {
        Path array = dir.resolve("x.npy");
        Npy.write(array, TestData.gaussian(Shape.of(1, 3, 224, 224), 13));

        ChildJvm.Result r = ChildJvm.backlight(dir.resolve("child"), List.of("-Xmx128m"), false, List.of("explain",
                "--backend", "cpu", "--weights", "random", "--model", "densenet121", "--batch-size", "1", "--out",
                dir.resolve("out").toString(), array.toString()), 300);

        assertEquals(ExitCodes.FAILURE, r.exitCode(), r::toString);
        List<String> errors = r.err().lines().filter(l -> l.startsWith(FailureReporter.PREFIX)).toList();
        assertEquals(1, errors.size(), r::toString);
        assertTrue(errors.get(0).contains("out of memory") && errors.get(0).contains("-Xmx"), errors::toString);
        assertFalse(errors.get(0).contains("--batch-size"), errors::toString);
        assertFalse(Files.exists(dir.resolve("out")), "a run that wrote nothing leaves no folder");
    }
}
