package dev.backlight.cli.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.backlight.cli.Backlight;
import dev.backlight.cli.Cli;
import dev.backlight.cli.ExitCodes;
import dev.backlight.cli.Json;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.OptionalLong;
import java.util.Set;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code backlight bench}: a small real run, its JSON, plot and table, and its usage errors. */
class BenchCommandTest {
    @TempDir
    Path dir;

    @BeforeAll
    static void headless() {
        // As Backlight.main sets it: the plot is drawn without a display.
        System.setProperty("java.awt.headless", "true");
    }

    /** One cell of the JSON report. */
    private record Cell(int batch, String pass, List<Double> iterationsMs, double medianMs, double minMs, double maxMs,
                        double imagesPerSecond, long peakHeapBytes, boolean deviceNull) {
    }

    @Test
    void smallRunWritesJsonPlotAndTable() throws IOException {
        Path json = dir.resolve("reports/out.json");
        Path png = dir.resolve("reports/out.png");
        Cli.Result r = Cli.run("bench", "--model", "densenet121", "--size", "64", "--batch-sizes", "1,2", "--warmup", "1",
                "--iterations", "2", "--threads", "2", "--json", json.toString(), "--plot", png.toString());

        assertEquals(ExitCodes.OK, r.exitCode(), r::toString);

        List<Cell> cells = readCells(json);
        assertEquals(4, cells.size(), "one entry per batch size and pass: " + cells);
        Set<String> seen = new HashSet<>();
        for (Cell c : cells) {
            assertTrue(seen.add(c.batch() + " " + c.pass()), "duplicate cell " + c);
            assertEquals(2, c.iterationsMs().size(), "every timed iteration is recorded: " + c);
            assertTrue(c.iterationsMs().stream().allMatch(ms -> ms > 0), c::toString);
            assertEquals(c.iterationsMs().stream().mapToDouble(Double::doubleValue).min().orElseThrow(), c.minMs(), 1e-9);
            assertEquals(c.iterationsMs().stream().mapToDouble(Double::doubleValue).max().orElseThrow(), c.maxMs(), 1e-9);
            assertTrue(c.minMs() <= c.medianMs() && c.medianMs() <= c.maxMs(), c::toString);
            assertEquals(c.batch() * 1000.0 / c.medianMs(), c.imagesPerSecond(), 1e-9 * c.imagesPerSecond(), c::toString);
            assertTrue(c.peakHeapBytes() > 1 << 20, "the heap holds at least the model: " + c);
            assertTrue(c.deviceNull(), "the cpu backend has no device memory: " + c);
        }
        assertEquals(Set.of("1 forward", "1 forward-backward", "2 forward", "2 forward-backward"), seen);
        assertEquals("cpu", Json.string(json, "backend"));
        assertEquals("fp32", Json.string(json, "precision"));
        assertEquals("random:0", Json.string(json, "weights"));

        BufferedImage plot = ImageIO.read(png.toFile());
        assertNotNull(plot, "the plot decodes as an image");
        assertEquals(BenchPlot.WIDTH, plot.getWidth());
        assertEquals(BenchPlot.HEIGHT, plot.getHeight());
        try (Stream<Path> files = Files.list(json.getParent())) {
            assertEquals(Set.of("out.json", "out.png"), Set.copyOf(files.map(f -> f.getFileName().toString()).toList()),
                    "no temporary files are left beside the outputs");
        }

        List<String> rows = r.out().lines().filter(l -> l.matches("\\s*\\d+\\s+forward(-backward)?\\s+.*")).toList();
        assertEquals(4, rows.size(), r::toString);
        for (String row : rows) {
            assertTrue(row.trim().endsWith(" -"), "no device memory on the cpu backend: " + row);
        }
        assertTrue(r.out().contains("images/s") && r.out().contains("peak heap MiB"), r::toString);
        assertTrue(r.out().contains("peak heap: the Java heap's peak use"), "the table says what the memory column measures");
        assertEquals(4, r.err().lines().filter(l -> l.contains("timed iterations")).count(), "a progress line per cell: " + r);
        assertTrue(r.err().contains("speed does not depend on the weight values"), r::toString);
        assertTrue(r.errorLines().isEmpty(), r::toString);
    }

    @Test
    void badOptionsAreUsageErrorsAndMeasureNothing() {
        Path json = dir.resolve("bad.json");
        String[][] cases = {
            {"--batch-sizes", "1,0"},
            {"--precision", "fp16"},
            {"--method", "no-such-method"},
            {"--iterations", "0"},
            {"--warmup", "-1"},
            {"--pass", "sideways"},
            {"--size", "16"},
            {"--model", "resnet50"},
            {"--batch-sizes", "two"},
        };
        for (String[] c : cases) {
            List<String> args = new ArrayList<>(List.of("bench", "--model", "densenet121", "--size", "64", "--json", json.toString()));
            args.addAll(List.of(c));
            Cli.Result r = Cli.run(args.toArray(String[]::new));
            assertEquals(ExitCodes.USAGE, r.exitCode(), String.join(" ", c) + "\n" + r);
            assertEquals(1, r.errorLines().size(), r::toString);
            assertTrue(r.out().isEmpty(), "no table for a usage error: " + r);
            assertFalse(Files.exists(json), "nothing written for a usage error");
        }
        Cli.Result fp16 = Cli.run("bench", "--precision", "fp16");
        String line = fp16.errorLines().get(0);
        assertTrue(line.contains("fp32") && line.contains("cpu"), "says which precision and backends exist: " + line);
        Cli.Result tf32 = Cli.run("bench", "--backend", "cpu", "--precision", "tf32", "--model", "densenet121", "--size", "64");
        assertEquals(ExitCodes.USAGE, tf32.exitCode(), tf32::toString);
        assertTrue(tf32.errorLines().get(0).contains("cuda backend only"), tf32::toString);
    }

    @Test
    void aFolderAsJsonFileFailsBeforeMeasuring() {
        Cli.Result r = Cli.run("bench", "--model", "densenet121", "--size", "64", "--json", dir.toString());

        assertEquals(ExitCodes.FAILURE, r.exitCode(), r::toString);
        assertEquals(1, r.errorLines().size(), r::toString);
        assertFalse(r.err().contains("timed iterations"), "nothing was measured: " + r);
    }

    @Test
    void medianIsTheMiddleOrTheMeanOfTheMiddleTwo() {
        BenchResult odd = new BenchResult(4, BenchResult.Pass.FORWARD, List.of(30.0, 10.0, 20.0), 0, OptionalLong.empty());
        BenchResult even = new BenchResult(4, BenchResult.Pass.FORWARD, List.of(40.0, 10.0, 30.0, 20.0), 0, OptionalLong.empty());

        assertEquals(20.0, odd.medianMs());
        assertEquals(25.0, even.medianMs());
        assertEquals(10.0, even.minMs());
        assertEquals(40.0, even.maxMs());
        assertEquals(160.0, even.imagesPerSecond(), 1e-12);
        assertThrows(IllegalArgumentException.class,
                () -> new BenchResult(1, BenchResult.Pass.FORWARD, List.of(), 0, OptionalLong.empty()));
    }

    private static List<Cell> readCells(Path json) throws IOException {
        List<Cell> cells = new ArrayList<>();
        try (JsonParser p = new JsonFactory().createParser(json.toFile())) {
            for (JsonToken t = p.nextToken(); t != null; t = p.nextToken()) {
                if (t != JsonToken.START_ARRAY || !"results".equals(p.currentName())) {
                    continue;
                }
                while (p.nextToken() == JsonToken.START_OBJECT) {
                    int batch = -1;
                    String pass = null;
                    List<Double> ms = new ArrayList<>();
                    double median = Double.NaN;
                    double min = Double.NaN;
                    double max = Double.NaN;
                    double rate = Double.NaN;
                    long heap = -1;
                    boolean deviceNull = false;
                    while (p.nextToken() == JsonToken.FIELD_NAME) {
                        String field = p.currentName();
                        JsonToken value = p.nextToken();
                        switch (field) {
                            case "batch" -> batch = p.getIntValue();
                            case "pass" -> pass = p.getText();
                            case "iterationsMs" -> {
                                while (p.nextToken() != JsonToken.END_ARRAY) {
                                    ms.add(p.getDoubleValue());
                                }
                            }
                            case "medianMs" -> median = p.getDoubleValue();
                            case "minMs" -> min = p.getDoubleValue();
                            case "maxMs" -> max = p.getDoubleValue();
                            case "imagesPerSecond" -> rate = p.getDoubleValue();
                            case "peakHeapBytes" -> heap = p.getLongValue();
                            case "peakDeviceBytes" -> deviceNull = value == JsonToken.VALUE_NULL;
                            default -> p.skipChildren();
                        }
                    }
                    cells.add(new Cell(batch, pass, ms, median, min, max, rate, heap, deviceNull));
                }
            }
        }
        return cells;
    }
}
