package dev.backlight.cli.explain;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import dev.backlight.api.BacklightException;
import dev.backlight.api.internal.io.AtomicFiles;
import dev.backlight.api.method.Attribution;
import dev.backlight.cli.VersionProvider;
import dev.backlight.densenet.imagenet.Prediction;
import dev.backlight.render.MapStyle;
import dev.backlight.cli.DiskFull;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The {@code --report FILE} of a whole run, as JSON: what was computed (model, weights, method,
 * backend, target, drawing style, batch size) and per input its path, status ({@code ok}, {@code
 * failed} with the error, or {@code skipped} by {@code --resume}), sorted by path, and for the ones explained the
 * top-5 (index, label, probability) and explained classes of each image, the timings in
 * milliseconds and the output files (relative to {@code --out}). Written atomically at the end.
 *
 * <p>It streams: each input's entry is rendered as soon as the input is done and appended to a
 * temporary file (in {@code java.io.tmpdir}, deleted when the report is written or closed, and at
 * exit), and only its position there is kept, so memory does not grow with what the entries hold.
 * Without {@code --report} ({@link #none()}) nothing is rendered or kept at all.
 */
final class RunReport implements AutoCloseable {
    private static final JsonFactory JSON = JsonFactory.builder().build();

    private final ExplainContext context;
    private final MapStyle style;
    private int batchSize;
    private final List<Entry> entries = new ArrayList<>();
    private final List<String> extraFiles = new ArrayList<>();
    private Path spill;
    private FileChannel spillChannel;
    private long spilled;

    /** Where one input's rendered entry lies in the spill file; the path is the input's own (not a copy). */
    private record Entry(Path path, long offset, int length) {
    }

    private RunReport(ExplainContext context, MapStyle style, int batchSize) {
        this.context = context;
        this.style = style;
        this.batchSize = batchSize;
    }

    /** A report that will be written with {@link #write}. */
    static RunReport of(ExplainContext context, MapStyle style, int batchSize) {
        return new RunReport(java.util.Objects.requireNonNull(context, "context"), style, batchSize);
    }

    /** No report: every method does nothing. */
    static RunReport none() {
        return new RunReport(null, null, 0);
    }

    private boolean enabled() {
        return context != null;
    }

    /** Records an explained input. */
    void done(InputResult result, long writeNanos) {
        if (enabled()) {
            add(result.input().path(), entry(out -> {
                out.writeStringField("path", result.input().path().toString());
                out.writeStringField("status", "ok");
                writeImages(out, result);
                out.writeObjectFieldStart("timingsMs");
                out.writeNumberField("load", result.input().loadNanos() / 1e6);
                out.writeNumberField("compute", result.computeNanos() / 1e6);
                out.writeNumberField("write", writeNanos / 1e6);
                out.writeEndObject();
                writeFiles(out, result.names());
            }));
        }
    }

    /** Records an input that failed. */
    void failed(InputFailure failure) {
        if (enabled()) {
            add(failure.path(), entry(out -> {
                out.writeStringField("path", failure.path().toString());
                out.writeStringField("status", "failed");
                out.writeStringField("error", failure.message());
            }));
        }
    }

    /** Records an input skipped because its outputs exist. */
    void skipped(InputSpec input, OutputNames names) {
        if (enabled()) {
            add(input.path(), entry(out -> {
                out.writeStringField("path", input.path().toString());
                out.writeStringField("status", "skipped");
                writeFiles(out, names);
            }));
        }
    }

    /** Sets the batch size the report names (the automatic one is known once the weights are loaded). */
    void batchSize(int size) {
        this.batchSize = size;
    }

    /** Records files of the whole run, such as the grid pages. */
    void runFiles(List<String> names) {
        extraFiles.addAll(names);
    }

    private interface Fields {
        void write(JsonGenerator out) throws IOException;
    }

    private static byte[] entry(Fields fields) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(512);
        try (JsonGenerator out = JSON.createGenerator(bytes, JsonEncoding.UTF8)) {
            out.useDefaultPrettyPrinter();
            out.writeStartObject();
            fields.write(out);
            out.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException("writing JSON to memory cannot fail", e);
        }
        return bytes.toByteArray();
    }

    private void add(Path path, byte[] entry) {
        try {
            if (spillChannel == null) {
                spill = Files.createTempFile("backlight-report-", ".json.tmp");
                spill.toFile().deleteOnExit();
                spillChannel = FileChannel.open(spill, StandardOpenOption.READ, StandardOpenOption.WRITE);
            }
            ByteBuffer bytes = ByteBuffer.wrap(entry);
            long at = spilled;
            while (bytes.hasRemaining()) {
                at += spillChannel.write(bytes, at);
            }
            entries.add(new Entry(path, spilled, entry.length));
            spilled = at;
        } catch (IOException e) {
            Path where = spill == null ? Path.of(System.getProperty("java.io.tmpdir")) : spill.getParent();
            throw new BacklightException(DiskFull.is(e)
                    ? DiskFull.message(where, "the report's entries cannot be kept there; free some space, or run without"
                            + " --report")
                    : "cannot keep the report's entries in a temporary file in " + where + " (" + e + "); run without"
                            + " --report", e);
        }
    }

    /**
     * Writes the report to {@code target} atomically, creating its folder; does nothing for {@link #none()}.
     *
     * @throws BacklightException if it cannot be written
     */
    void write(Path target, long elapsedNanos) {
        if (!enabled()) {
            return;
        }
        try {
            Path parent = target.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            AtomicFiles.write(target, channel -> render(Channels.newOutputStream(channel), elapsedNanos));
        } catch (IOException e) {
            throw new BacklightException(DiskFull.is(e) ? DiskFull.message(target.toAbsolutePath().getParent(),
                    "cannot write the report " + target + "; free some space") : "cannot write the report " + target + ": "
                    + e, e);
        }
    }

    /** The report as UTF-8 JSON. */
    byte[] render(long elapsedNanos) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try {
            render(bytes, elapsedNanos);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    private void render(OutputStream stream, long elapsedNanos) throws IOException {
        OutputStream buffered = new BufferedOutputStream(stream, 1 << 16);
        try (JsonGenerator out = JSON.createGenerator(buffered, JsonEncoding.UTF8)) {
            // The stream is AtomicFiles' channel, which it closes itself.
            out.disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET);
            out.useDefaultPrettyPrinter();
            out.writeStartObject();
            out.writeStringField("backlight", VersionProvider.version());
            out.writeStringField("model", context.model());
            out.writeStringField("weights", context.weights());
            if (context.warning().isPresent()) {
                out.writeStringField("warning", context.warning().get());
            }
            out.writeStringField("method", context.method());
            out.writeStringField("backend", context.backend());
            out.writeStringField("target", context.target());
            out.writeNumberField("batchSize", batchSize);
            out.writeObjectFieldStart("style");
            out.writeStringField("reduce", style.reduction().id());
            out.writeStringField("sign", style.sign().id());
            out.writeNumberField("clipPercentile", style.clipPercentile());
            out.writeStringField("colormap", style.colormap().name());
            out.writeNumberField("overlayAlpha", style.overlayAlpha());
            out.writeEndObject();
            out.writeNumberField("elapsedMs", elapsedNanos / 1e6);
            out.writeArrayFieldStart("files");
            for (String f : extraFiles) {
                out.writeString(f);
            }
            out.writeEndArray();
            out.writeArrayFieldStart("inputs");
            List<Entry> sorted = new ArrayList<>(entries);
            sorted.sort(Comparator.comparing(e -> e.path().toString()));
            for (Entry e : sorted) {
                ByteBuffer bytes = ByteBuffer.allocate(e.length());
                long at = e.offset();
                while (bytes.hasRemaining()) {
                    int n = spillChannel.read(bytes, at);
                    if (n < 0) {
                        throw new IOException("the report's temporary file " + spill + " was cut short");
                    }
                    at += n;
                }
                out.writeRawValue(new String(bytes.array(), StandardCharsets.UTF_8));
            }
            out.writeEndArray();
            out.writeEndObject();
            out.writeRaw('\n');
        }
        buffered.flush();
    }

    /** Deletes the temporary file of the entries; idempotent. */
    @Override
    public void close() {
        if (spillChannel != null) {
            try {
                spillChannel.close();
                Files.deleteIfExists(spill);
            } catch (IOException e) {
                // In java.io.tmpdir, and marked to be deleted at exit.
            }
            spillChannel = null;
        }
    }

    private static void writeImages(JsonGenerator out, InputResult r) throws IOException {
        Attribution a = r.attribution();
        out.writeArrayFieldStart("images");
        for (int i = 0; i < a.batchSize(); i++) {
            out.writeStartObject();
            out.writeArrayFieldStart("top5");
            for (Prediction p : r.top5().get(i)) {
                out.writeStartObject();
                out.writeNumberField("index", p.classIndex());
                out.writeStringField("label", p.label());
                out.writeNumberField("probability", p.probability());
                out.writeEndObject();
            }
            out.writeEndArray();
            out.writeArrayFieldStart("targets");
            for (int k = 0; k < a.perImage(); k++) {
                out.writeNumber(a.targetClass(i, k));
            }
            out.writeEndArray();
            out.writeEndObject();
        }
        out.writeEndArray();
    }

    private static void writeFiles(JsonGenerator out, OutputNames names) throws IOException {
        out.writeArrayFieldStart("outputs");
        for (String name : names.all()) {
            out.writeString(name);
        }
        out.writeEndArray();
    }
}
