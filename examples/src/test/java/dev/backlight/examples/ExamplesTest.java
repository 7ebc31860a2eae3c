package dev.backlight.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.backlight.api.Shape;
import dev.backlight.api.io.Npy;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Runs each example program as a user would, on the repository's photo, and checks what it wrote and printed. */
class ExamplesTest {
    private static final Path LION = Path.of("lion.jpg");

    @Test
    void onePhotoGivesAnOverlayAMapAndFivePredictions(@TempDir Path out) throws IOException {
        String printed = run(() -> ExplainOnePhoto.main(new String[] {LION.toString(), out.toString()}));
        BufferedImage overlay = ImageIO.read(out.resolve("lion.overlay.png").toFile());
        assertEquals(224, overlay.getWidth());
        assertEquals(Shape.of(1, 3, 224, 224), Npy.read(out.resolve("lion.npy")).shape());
        assertTrue(Files.isRegularFile(out.resolve("lion.291.heatmap.png")));
        List<String> lines = printed.lines().toList();
        assertEquals(6, lines.size(), printed);
        assertTrue(lines.get(5).contains("class 291 (lion)"), printed);
    }

    @Test
    void aFolderGivesACsvAndAMapPerPhotoAndARowForABadFile(@TempDir Path dir) throws IOException {
        Path in = Files.createDirectories(dir.resolve("in"));
        Files.copy(LION, in.resolve("a.jpg"));
        Files.copy(LION, in.resolve("b.jpg"));
        Files.write(in.resolve("broken.png"), new byte[] {1, 2, 3});
        Path out = dir.resolve("out");
        run(() -> {
            try {
                ExplainFolder.main(new String[] {in.toString(), out.toString()});
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        List<String> csv = Files.readAllLines(out.resolve("top5.csv"));
        assertEquals("file,rank,class,label,probability,map,error", csv.get(0));
        assertEquals(1 + 5 + 5 + 1, csv.size(), String.join("\n", csv));
        assertTrue(csv.stream().anyMatch(l -> l.startsWith("broken.png,") && l.contains("broken.png")), String.join("\n", csv));
        assertTrue(Files.isRegularFile(out.resolve("a.npy")));
        assertTrue(Files.isRegularFile(out.resolve("b.npy")));
    }

    @Test
    void theApplicationsOwnRuleIsFoundAndRunsOnTheCpu(@TempDir Path out) {
        String printed = run(() -> CustomRuleExample.main(new String[] {LION.toString(), out.toString()}));
        assertTrue(printed.contains("positive-input"), printed);
        assertTrue(printed.contains("on backend cpu"), printed);
        assertTrue(Files.isRegularFile(out.resolve("lion.positive-input.heatmap.png")));
    }

    /** Runs {@code program}, returning what it printed on System.out. */
    private static String run(Runnable program) {
        PrintStream original = System.out;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            program.run();
        } finally {
            System.setOut(original);
        }
        return captured.toString(StandardCharsets.UTF_8);
    }
}
