package dev.backlight.cli.explain;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import dev.backlight.api.BacklightException;
import dev.backlight.api.internal.io.AtomicFiles;
import dev.backlight.api.method.Attribution;
import dev.backlight.cli.VersionProvider;
import dev.backlight.densenet.imagenet.ClassLabels;
import dev.backlight.densenet.imagenet.Prediction;
import dev.backlight.render.PictureKind;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * The JSON report {@code <stem>.explain.json} of one input: what was computed (input, model,
 * weights, method, backend, target), for every image the explained classes by rank and the five
 * most probable classes (and the method's diagnostics, if any, per rank), the output file names,
 * and a {@code warning} when the weights are random.
 * Output names are relative to the {@code --out} folder.
 */
final class ExplainReport {
    private static final JsonFactory JSON = JsonFactory.builder().build();

    private ExplainReport() {
    }

    /**
     * Writes the report of {@code result} to {@code target}, atomically.
     *
     * @throws BacklightException if it cannot be written
     */
    static void write(Path target, ExplainContext context, InputResult result) {
        byte[] json = render(context, result);
        try {
            AtomicFiles.write(target, channel -> {
                ByteBuffer bytes = ByteBuffer.wrap(json);
                while (bytes.hasRemaining()) {
                    channel.write(bytes);
                }
            });
        } catch (IOException e) {
            throw new BacklightException("cannot write " + target + ": " + e + "; check that the --out folder is writable", e);
        }
    }

    /** The report as UTF-8 JSON, pretty-printed, ending with a newline. */
    static byte[] render(ExplainContext context, InputResult result) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (JsonGenerator out = JSON.createGenerator(bytes, JsonEncoding.UTF8)) {
            out.useDefaultPrettyPrinter();
            out.writeStartObject();
            out.writeStringField("backlight", VersionProvider.version());
            out.writeStringField("input", result.input().path().toString());
            out.writeStringField("kind", result.input().kind() == InputFile.Kind.IMAGE ? "image" : "array");
            out.writeFieldName("inputShape");
            int[] shape = result.input().pixels().shape().dims();
            out.writeArray(shape, 0, shape.length);
            out.writeStringField("model", context.model());
            out.writeStringField("weights", context.weights());
            if (context.warning().isPresent()) {
                out.writeStringField("warning", context.warning().get());
            }
            out.writeStringField("method", context.method());
            out.writeStringField("backend", context.backend());
            out.writeStringField("target", context.target());
            writeOutputs(out, result.names());
            writeImages(out, context, result);
            out.writeEndObject();
            out.writeRaw('\n');
        } catch (IOException e) {
            throw new UncheckedIOException("writing JSON to memory cannot fail", e);
        }
        return bytes.toByteArray();
    }

    private static void writeOutputs(JsonGenerator out, OutputNames names) throws IOException {
        if (names.logits() != null) {
            out.writeStringField("logits", names.logits());
        }
        out.writeArrayFieldStart("maps");
        for (int r = 0; r < names.ranks().size(); r++) {
            OutputNames.RankFiles files = names.ranks().get(r);
            out.writeStartObject();
            out.writeNumberField("rank", r + 1);
            if (files.raw() != null) {
                out.writeStringField("raw", files.raw());
            }
            writePictures(out, "pictures", files.pictures());
            writePictures(out, "fullSize", files.fullSize());
            out.writeEndObject();
        }
        out.writeEndArray();
    }

    private static void writePictures(JsonGenerator out, String field, Map<PictureKind, String> pictures)
            throws IOException {
        if (pictures.isEmpty()) {
            return;
        }
        out.writeObjectFieldStart(field);
        for (Map.Entry<PictureKind, String> p : pictures.entrySet()) {
            out.writeStringField(p.getKey().id(), p.getValue());
        }
        out.writeEndObject();
    }

    private static void writeImages(JsonGenerator out, ExplainContext context, InputResult result) throws IOException {
        Attribution a = result.attribution();
        out.writeArrayFieldStart("images");
        for (int i = 0; i < a.batchSize(); i++) {
            out.writeStartObject();
            out.writeNumberField("index", i);
            out.writeArrayFieldStart("targets");
            for (int r = 0; r < a.perImage(); r++) {
                out.writeStartObject();
                out.writeNumberField("rank", r + 1);
                out.writeNumberField("class", a.targetClass(i, r));
                out.writeStringField("label", context.labels().name(a.targetClass(i, r)));
                out.writeEndObject();
            }
            out.writeEndArray();
            writeDiagnostics(out, a, i);
            writeTop(out, result.top5().get(i));
            out.writeEndObject();
        }
        out.writeEndArray();
    }

    /** The method's figures for image i, one value per rank, such as Integrated Gradients' completeness. */
    private static void writeDiagnostics(JsonGenerator out, Attribution a, int image) throws IOException {
        if (a.diagnostics().isEmpty()) {
            return;
        }
        out.writeObjectFieldStart("diagnostics");
        for (Map.Entry<String, double[][]> d : a.diagnostics().entrySet()) {
            double[] perRank = d.getValue()[image];
            out.writeFieldName(d.getKey());
            out.writeArray(perRank, 0, perRank.length);
        }
        out.writeEndObject();
    }

    private static void writeTop(JsonGenerator out, List<Prediction> top) throws IOException {
        out.writeArrayFieldStart("top5");
        for (Prediction p : top) {
            out.writeStartObject();
            out.writeNumberField("class", p.classIndex());
            out.writeStringField("label", p.label());
            out.writeNumberField("probability", p.probability());
            out.writeEndObject();
        }
        out.writeEndArray();
    }
}
