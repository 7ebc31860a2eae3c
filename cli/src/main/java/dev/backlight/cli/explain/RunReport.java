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
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The {@code --report FILE} of a whole run, as JSON: what was computed (model, weights, method,
 * backend, target, drawing style, batch size) and per input its path, status ({@code ok}, {@code
 * failed} with the error, or {@code skipped} by {@code --resume}), sorted by path, and for the ones explained the
 * top-5 (index, label, probability) and explained classes of each image, the timings in
 * milliseconds and the output files (relative to {@code --out}). Written atomically at the end.
 */
final class RunReport {
    private static final JsonFactory JSON = JsonFactory.builder().build();

    private final ExplainContext context;
    private final MapStyle style;
    private final int batchSize;
    private final List<Entry> entries = new ArrayList<>();
    private final List<String> extraFiles = new ArrayList<>();

    private sealed interface Entry permits Done, Failed, Skipped {
    }

    private record Done(InputResult result, long writeNanos) implements Entry {
    }

    private record Failed(InputFailure failure) implements Entry {
    }

    private record Skipped(InputSpec input, OutputNames names) implements Entry {
    }

    RunReport(ExplainContext context, MapStyle style, int batchSize) {
        this.context = context;
        this.style = style;
        this.batchSize = batchSize;
    }

    /** Records an explained input. */
    void done(InputResult result, long writeNanos) {
        entries.add(new Done(result, writeNanos));
    }

    /** Records an input that failed. */
    void failed(InputFailure failure) {
        entries.add(new Failed(failure));
    }

    /** Records an input skipped because its outputs exist. */
    void skipped(InputSpec input, OutputNames names) {
        entries.add(new Skipped(input, names));
    }

    /** Records files of the whole run, such as the grid pages. */
    void runFiles(List<String> names) {
        extraFiles.addAll(names);
    }

    /**
     * Writes the report to {@code target} atomically, creating its folder.
     *
     * @throws BacklightException if it cannot be written
     */
    void write(Path target, long elapsedNanos) {
        byte[] json = render(elapsedNanos);
        try {
            Path parent = target.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            AtomicFiles.write(target, channel -> {
                ByteBuffer bytes = ByteBuffer.wrap(json);
                while (bytes.hasRemaining()) {
                    channel.write(bytes);
                }
            });
        } catch (IOException e) {
            throw new BacklightException("cannot write the report " + target + ": " + e, e);
        }
    }

    /** The report as UTF-8 JSON. */
    byte[] render(long elapsedNanos) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (JsonGenerator out = JSON.createGenerator(bytes, JsonEncoding.UTF8)) {
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
            sorted.sort(Comparator.comparing(RunReport::path));
            for (Entry e : sorted) {
                writeEntry(out, e);
            }
            out.writeEndArray();
            out.writeEndObject();
            out.writeRaw('\n');
        } catch (IOException e) {
            throw new UncheckedIOException("writing JSON to memory cannot fail", e);
        }
        return bytes.toByteArray();
    }

    private static String path(Entry entry) {
        if (entry instanceof Failed f) {
            return f.failure().path().toString();
        }
        if (entry instanceof Skipped s) {
            return s.input().path().toString();
        }
        return ((Done) entry).result().input().path().toString();
    }

    private static void writeEntry(JsonGenerator out, Entry entry) throws IOException {
        out.writeStartObject();
        if (entry instanceof Failed f) {
            out.writeStringField("path", f.failure().path().toString());
            out.writeStringField("status", "failed");
            out.writeStringField("error", f.failure().message());
        } else if (entry instanceof Skipped s) {
            out.writeStringField("path", s.input().path().toString());
            out.writeStringField("status", "skipped");
            writeFiles(out, s.names());
        } else if (entry instanceof Done d) {
            InputResult r = d.result();
            out.writeStringField("path", r.input().path().toString());
            out.writeStringField("status", "ok");
            writeImages(out, r);
            out.writeObjectFieldStart("timingsMs");
            out.writeNumberField("load", r.input().loadNanos() / 1e6);
            out.writeNumberField("compute", r.computeNanos() / 1e6);
            out.writeNumberField("write", d.writeNanos() / 1e6);
            out.writeEndObject();
            writeFiles(out, r.names());
        }
        out.writeEndObject();
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
