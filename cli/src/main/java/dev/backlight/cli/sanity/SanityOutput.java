package dev.backlight.cli.sanity;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import dev.backlight.WeightsSource;
import dev.backlight.api.BacklightException;
import dev.backlight.api.Tensor;
import dev.backlight.api.internal.io.AtomicFiles;
import dev.backlight.cli.VersionProvider;
import dev.backlight.densenet.sanity.MapSimilarity;
import dev.backlight.densenet.sanity.RandomizationStep;
import dev.backlight.densenet.sanity.SanityReport;
import dev.backlight.render.Banner;
import dev.backlight.render.PngFiles;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Writes a sanity check's JSON report and its grid of maps. */
final class SanityOutput {
    private static final int LABEL = 14;

    private SanityOutput() {
    }

    static void writeJson(Path target, Path input, String model, WeightsSource weights, List<SanityReport> reports) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (JsonGenerator out = new JsonFactory().createGenerator(bytes, JsonEncoding.UTF8)) {
            out.useDefaultPrettyPrinter();
            out.writeStartObject();
            out.writeStringField("backlight", VersionProvider.version());
            out.writeStringField("input", input.toString());
            out.writeStringField("model", model);
            out.writeStringField("weights", weights.description());
            if (weights.warning().isPresent()) {
                out.writeStringField("warning", weights.warning().get());
            }
            out.writeStringField("interpretation", "similarity between each map and the original model's map (means over images):"
                    + " values falling towards 0 as layers are randomized mean the map depends on the learned weights;"
                    + " values staying near 1 mean it mostly reflects the input (Adebayo et al. 2018)");
            out.writeArrayFieldStart("methods");
            for (SanityReport r : reports) {
                out.writeStartObject();
                out.writeStringField("method", r.method());
                out.writeStringField("mode", r.mode().name().toLowerCase(java.util.Locale.ROOT));
                out.writeFieldName("targetClasses");
                out.writeArray(r.targetClasses(), 0, r.targetClasses().length);
                out.writeArrayFieldStart("steps");
                for (RandomizationStep s : r.steps()) {
                    out.writeStartObject();
                    out.writeStringField("layer", s.name());
                    out.writeArrayFieldStart("randomized");
                    for (String l : s.randomizedLayers()) {
                        out.writeString(l);
                    }
                    out.writeEndArray();
                    out.writeNumberField("spearmanAbsolute", s.spearmanAbsolute());
                    out.writeNumberField("spearmanSigned", s.spearmanSigned());
                    out.writeNumberField("ssim", s.ssim());
                    out.writeNumberField("hog", s.hog());
                    out.writeEndObject();
                }
                out.writeEndArray();
                out.writeEndObject();
            }
            out.writeEndArray();
            out.writeEndObject();
        } catch (IOException e) {
            throw new BacklightException("cannot format the sanity report: " + e, e);
        }
        bytes.write('\n');
        byte[] json = bytes.toByteArray();
        try {
            AtomicFiles.write(target, channel -> {
                ByteBuffer b = ByteBuffer.wrap(json);
                while (b.hasRemaining()) {
                    channel.write(b);
                }
            });
        } catch (IOException e) {
            throw new BacklightException("cannot write " + target + ": " + e, e);
        }
    }

    /**
     * One row per method: the original map, then one map per step, each the channel-summed
     * absolute map of image 0 scaled to its own [0, 1] (gray), labelled with the layer name.
     */
    static void writeGrid(Path target, List<SanityReport> reports, String warning) {
        Tensor first = reports.get(0).original();
        int h = first.shape().dim(2);
        int w = first.shape().dim(3);
        int cols = reports.get(0).steps().size() + 1;
        BufferedImage grid = new BufferedImage(cols * w, reports.size() * (h + LABEL) + (warning == null ? 0 : LABEL),
                BufferedImage.TYPE_INT_RGB);
        Graphics2D g = grid.createGraphics();
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 10));
        for (int row = 0; row < reports.size(); row++) {
            SanityReport r = reports.get(row);
            int y = row * (h + LABEL);
            draw(grid, r.original(), 0, y + LABEL);
            g.setColor(Color.WHITE);
            g.drawString(r.method() + ": original", 2, y + LABEL - 3);
            for (int s = 0; s < r.steps().size(); s++) {
                draw(grid, r.maps().get(s), (s + 1) * w, y + LABEL);
                g.drawString(r.steps().get(s).name().replace("features.", ""), (s + 1) * w + 2, y + LABEL - 3);
            }
        }
        if (warning != null) {
            g.setColor(Banner.TEXT);
            g.drawString(warning, 2, grid.getHeight() - 3);
        }
        g.dispose();
        Map<String, String> text = new LinkedHashMap<>();
        text.put("Software", "backlight " + VersionProvider.version());
        if (warning != null) {
            text.put("Warning", warning);
        }
        PngFiles.write(target, grid, text);
    }

    private static void draw(BufferedImage grid, Tensor maps, int x0, int y0) {
        int c = maps.shape().dim(1);
        int h = maps.shape().dim(2);
        int w = maps.shape().dim(3);
        double[] unit = MapSimilarity.unitRange(MapSimilarity.absolute(Arrays.copyOfRange(maps.data(), 0, c * h * w), c));
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int v = (int) Math.round(unit[y * w + x] * 255);
                grid.setRGB(x0 + x, y0 + y, (v << 16) | (v << 8) | v);
            }
        }
    }
}
