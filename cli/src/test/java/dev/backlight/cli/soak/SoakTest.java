package dev.backlight.cli.soak;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.backlight.cli.ChildJvm;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Memory of {@code explain} does not grow with the number of inputs. The whole command runs in a
 * child JVM with a heap of {@value #HEAP} over {@value #IMAGES} small PNGs, with {@code --grid} and
 * {@code --report} (the two features that gather something of every input), on the {@link
 * InstantBackendProvider instant backend}: everything but the model's arithmetic — decoding,
 * preprocessing, three pictures and a JSON report per image, the grid pages, the run report — runs
 * as in a real run, in seconds. Every {@value #EVERY} images, the heap in use after a full
 * collection is recorded ({@link SoakDriver}).
 *
 * <p>Two checks that fail when results are kept: the run completes in the small heap, and the heap
 * after collection grows by less than {@value #MAX_GROWTH_PER_IMAGE} bytes per image (least-squares
 * slope over the readings). Before the fix the run kept every image's pixels, crop and maps for its
 * report (2.3 MB an image, measured with the same driver): this test failed, the child running out
 * of memory 14 s in. The margin: the report keeps about 70 bytes per input (its index entry and
 * the path's text, measured over 100,000 inputs); the collector's readings vary by a few hundred
 * KB, a few KB per image over this count.
 */
class SoakTest {
    /**
     * A multiple of the grid's 100 rows a page and of the batch: every reading then finds a page of
     * the same size being drawn and a whole batch's results held.
     */
    private static final int IMAGES = 300;
    private static final int BATCH = 4;
    private static final int EVERY = 25;
    private static final String HEAP = "256m";
    private static final long MAX_GROWTH_PER_IMAGE = 16 * 1024;

    @TempDir
    Path dir;

    @Test
    void heapAfterCollectionDoesNotGrowWithTheNumberOfImages() throws Exception {
        Path in = Files.createDirectories(dir.resolve("in"));
        SplittableRandom random = new SplittableRandom(16);
        for (int i = 0; i < IMAGES; i++) {
            BufferedImage image = new BufferedImage(24 + random.nextInt(24), 24 + random.nextInt(24), BufferedImage.TYPE_INT_RGB);
            for (int y = 0; y < image.getHeight(); y++) {
                for (int x = 0; x < image.getWidth(); x++) {
                    image.setRGB(x, y, random.nextInt(1 << 24));
                }
            }
            assertTrue(ImageIO.write(image, "png", in.resolve(String.format(Locale.ROOT, "img%04d.png", i)).toFile()));
        }
        Path out = dir.resolve("out");
        Path csv = dir.resolve("heap.csv");

        ChildJvm.Result r = ChildJvm.run(dir.resolve("child"), List.of("-Xmx" + HEAP), true, SoakDriver.class.getName(),
                List.of(csv.toString(), Integer.toString(EVERY), "explain", "--backend", InstantBackendProvider.NAME,
                        "--weights", "random", "--model", "densenet121", "--batch-size", Integer.toString(BATCH), "--grid",
                        "--report",
                        dir.resolve("report.json").toString(), "--progress", "none", "--out", out.toString(), in.toString()),
                600);

        assertEquals(0, r.exitCode(), r::toString);
        try (Stream<Path> files = Files.list(out)) {
            assertEquals(4 * IMAGES + (IMAGES + 99) / 100 + 1, files.count(), "4 files an image, the grid pages, the run record");
        }
        List<long[]> readings = new ArrayList<>();
        for (String line : Files.readAllLines(csv)) {
            if (line.startsWith("#")) {
                continue;
            }
            String[] f = line.split(",");
            readings.add(new long[] {Long.parseLong(f[0]), Long.parseLong(f[1])});
        }
        assertEquals(IMAGES / EVERY, readings.size(), readings::toString);
        double slope = slope(readings);
        String figures = String.format(Locale.ROOT, "heap after GC: %.1f MiB at %d images, %.1f MiB at %d; slope %.0f"
                + " bytes/image; %.1f s", readings.get(0)[1] / 1048576.0, readings.get(0)[0],
                readings.get(readings.size() - 1)[1] / 1048576.0, readings.get(readings.size() - 1)[0], slope, r.seconds());
        System.out.println("SoakTest: " + figures + "; readings " + readings.stream().map(p -> p[0] + ":" + p[1] / 1024).toList());
        assertTrue(slope < MAX_GROWTH_PER_IMAGE, figures);
    }

    /** The least-squares slope of bytes against images. */
    private static double slope(List<long[]> points) {
        double n = points.size();
        double sx = 0;
        double sy = 0;
        double sxx = 0;
        double sxy = 0;
        for (long[] p : points) {
            sx += p[0];
            sy += p[1];
            sxx += (double) p[0] * p[0];
            sxy += (double) p[0] * p[1];
        }
        return (n * sxy - sx * sy) / (n * sxx - sx * sx);
    }
}
