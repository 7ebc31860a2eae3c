package dev.backlight.cli.bench;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import dev.backlight.api.BacklightException;
import dev.backlight.api.internal.io.AtomicFiles;
import dev.backlight.cli.VersionProvider;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * What {@code backlight bench} reports: the table printed at the end and the {@code --json} file,
 * both from the run's settings and its measured cells.
 */
final class BenchReport {
    private static final JsonFactory JSON = JsonFactory.builder().build();
    private static final double MIB = 1 << 20;

    /**
     * The settings of one bench run.
     *
     * @param model the architecture, e.g. {@code densenet201}
     * @param size the input's height and width
     * @param method the attribution method's id
     * @param backend the backend's name
     * @param threads the CPU worker threads used
     * @param precision the arithmetic, {@code fp32}
     * @param weights how the weights are named ({@code random:0} or a file)
     * @param warmup untimed iterations before each cell
     * @param iterations timed iterations of each cell
     * @param deviceMemory what the peak device memory column means, or why it is empty
     */
    record Setup(String model, int size, String method, String backend, int threads, String precision, String weights,
                 int warmup, int iterations, String deviceMemory) {
        /** One line naming the setup, for the table and the plot. */
        String title() {
            return String.format(Locale.ROOT, "%s %dx%d, %s, %s backend (%d thread%s), %s", model, size, size, method,
                    backend, threads, threads == 1 ? "" : "s", precision);
        }
    }

    private BenchReport() {
    }

    /** Prints the table: one row per cell, then what the columns mean. */
    static void printTable(PrintWriter out, Setup setup, List<BenchResult> results) {
        out.println(setup.title() + "; weights " + setup.weights() + "; " + setup.warmup() + " warm-up + "
                + setup.iterations() + " timed iterations per row");
        out.printf(Locale.ROOT, "%5s  %-16s %10s %17s %10s %14s %16s%n", "batch", "pass", "median ms", "min-max ms",
                "images/s", "peak heap MiB", "peak device MiB");
        for (BenchResult r : results) {
            String range = String.format(Locale.ROOT, "%.1f-%.1f", r.minMs(), r.maxMs());
            String device = r.peakDeviceBytes().isPresent()
                    ? String.format(Locale.ROOT, "%.1f", r.peakDeviceBytes().getAsLong() / MIB) : "-";
            out.printf(Locale.ROOT, "%5d  %-16s %10.1f %17s %10.2f %14.1f %16s%n", r.batch(), r.pass().id(), r.medianMs(),
                    range, r.imagesPerSecond(), r.peakHeapBytes() / MIB, device);
        }
        out.println("median ms, min-max ms: wall time per batch over the timed iterations; images/s: batch / median.");
        out.println("peak heap: " + HeapPeakMeter.DESCRIPTION + ".");
        out.println("peak device: " + setup.deviceMemory() + ".");
        out.flush();
    }

    /**
     * Writes the JSON report to {@code target} atomically.
     *
     * @throws BacklightException if it cannot be written
     */
    static void writeJson(Path target, Setup setup, List<BenchResult> results) {
        byte[] json = json(setup, results);
        try {
            AtomicFiles.write(target, channel -> {
                ByteBuffer bytes = ByteBuffer.wrap(json);
                while (bytes.hasRemaining()) {
                    channel.write(bytes);
                }
            });
        } catch (IOException e) {
            throw new BacklightException("cannot write the bench report " + target + ": " + e, e);
        }
    }

    /** The report as UTF-8 JSON. */
    static byte[] json(Setup setup, List<BenchResult> results) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (JsonGenerator out = JSON.createGenerator(bytes, JsonEncoding.UTF8)) {
            out.useDefaultPrettyPrinter();
            out.writeStartObject();
            out.writeStringField("backlight", VersionProvider.version());
            out.writeStringField("java", System.getProperty("java.version"));
            out.writeStringField("os", System.getProperty("os.name") + " " + System.getProperty("os.arch"));
            out.writeNumberField("cpuCores", Runtime.getRuntime().availableProcessors());
            out.writeNumberField("maxHeapBytes", Runtime.getRuntime().maxMemory());
            out.writeStringField("model", setup.model());
            out.writeNumberField("size", setup.size());
            out.writeStringField("method", setup.method());
            out.writeStringField("backend", setup.backend());
            out.writeNumberField("threads", setup.threads());
            out.writeStringField("precision", setup.precision());
            out.writeStringField("weights", setup.weights());
            out.writeNumberField("warmup", setup.warmup());
            out.writeNumberField("iterations", setup.iterations());
            out.writeObjectFieldStart("meaning");
            out.writeStringField("iterationsMs", "wall time of each timed iteration (one batch), in milliseconds");
            out.writeStringField("imagesPerSecond", "batch * 1000 / medianMs");
            out.writeStringField("peakHeapBytes", HeapPeakMeter.DESCRIPTION);
            out.writeStringField("peakDeviceBytes", setup.deviceMemory() + " (null when not measured)");
            out.writeEndObject();
            out.writeArrayFieldStart("results");
            for (BenchResult r : results) {
                out.writeStartObject();
                out.writeNumberField("batch", r.batch());
                out.writeStringField("pass", r.pass().id());
                out.writeArrayFieldStart("iterationsMs");
                for (double ms : r.iterationMs()) {
                    out.writeNumber(ms);
                }
                out.writeEndArray();
                out.writeNumberField("medianMs", r.medianMs());
                out.writeNumberField("minMs", r.minMs());
                out.writeNumberField("maxMs", r.maxMs());
                out.writeNumberField("imagesPerSecond", r.imagesPerSecond());
                out.writeNumberField("peakHeapBytes", r.peakHeapBytes());
                if (r.peakDeviceBytes().isPresent()) {
                    out.writeNumberField("peakDeviceBytes", r.peakDeviceBytes().getAsLong());
                } else {
                    out.writeNullField("peakDeviceBytes");
                }
                out.writeEndObject();
            }
            out.writeEndArray();
            out.writeEndObject();
            out.writeRaw('\n');
        } catch (IOException e) {
            throw new UncheckedIOException("writing JSON to memory cannot fail", e);
        }
        return bytes.toByteArray();
    }
}
