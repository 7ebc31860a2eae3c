package dev.backlight.bench;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Prints Backlight's CPU times next to PyTorch's from the same machine and run: reads JMH's JSON
 * result of {@link CpuDenseNetBenchmark} and the JSON of
 * {@code shared/anchors/torch_saliency_baseline.py}, and prints, per batch size, median ms per
 * image (min–max) and the ratio Backlight / PyTorch for each PyTorch configuration (≤ 1.0 means
 * Backlight is at least as fast).
 *
 * <p>Usage: {@code java -cp bench/target/benchmarks.jar dev.backlight.bench.CompareReport backlight.json torch.json}
 */
public final class CompareReport {
    private CompareReport() {
    }

    /** One measured cell: ms per batch, all iterations. */
    record Cell(String name, int batch, List<Double> msPerBatch) {
        double median() {
            List<Double> s = new ArrayList<>(msPerBatch);
            Collections.sort(s);
            int n = s.size();
            return n % 2 == 1 ? s.get(n / 2) : (s.get(n / 2 - 1) + s.get(n / 2)) / 2;
        }

        double min() {
            return Collections.min(msPerBatch);
        }

        double max() {
            return Collections.max(msPerBatch);
        }
    }

    public static void main(String[] args) throws IOException {
        if (args.length != 2) {
            System.err.println("usage: CompareReport BACKLIGHT_JMH.json TORCH_BASELINE.json");
            System.exit(2);
        }
        List<Cell> ours = readJmh(Path.of(args[0]));
        List<Cell> torch = readTorch(Path.of(args[1]));
        System.out.print(render(ours, torch));
    }

    static String render(List<Cell> ours, List<Cell> torch) {
        StringBuilder sb = new StringBuilder();
        Map<Integer, List<Cell>> byBatch = new TreeMap<>();
        ours.forEach(c -> byBatch.computeIfAbsent(c.batch(), k -> new ArrayList<>()).add(c));
        torch.forEach(c -> byBatch.computeIfAbsent(c.batch(), k -> new ArrayList<>()).add(c));
        sb.append(String.format(Locale.ROOT, "%-46s %5s %12s %21s%n", "configuration", "batch", "ms/image", "min-max ms/image"));
        for (var e : byBatch.entrySet()) {
            for (Cell c : e.getValue()) {
                int b = c.batch();
                sb.append(String.format(Locale.ROOT, "%-46s %5d %12.1f %10.1f-%-10.1f%n", c.name(), b, c.median() / b, c.min() / b, c.max() / b));
            }
        }
        sb.append(String.format(Locale.ROOT, "%nratios (Backlight median / PyTorch median, same batch; <= 1.0 meets the target):%n"));
        for (Cell o : ours) {
            if (!o.name().contains("forwardBackward")) {
                continue;
            }
            for (Cell t : torch) {
                if (t.batch() == o.batch()) {
                    sb.append(String.format(Locale.ROOT, "  batch %d: %s vs %s: %.2f%n", o.batch(), o.name(), t.name(), o.median() / t.median()));
                }
            }
        }
        return sb.toString();
    }

    /** Cells of a JMH JSON result (SingleShotTime in ms: one entry per invocation). */
    static List<Cell> readJmh(Path file) throws IOException {
        List<Cell> out = new ArrayList<>();
        try (JsonParser p = new JsonFactory().createParser(file.toFile())) {
            expect(p.nextToken(), JsonToken.START_ARRAY);
            while (p.nextToken() == JsonToken.START_OBJECT) {
                String benchmark = null;
                Map<String, String> params = new TreeMap<>();
                List<Double> raw = new ArrayList<>();
                while (p.nextToken() == JsonToken.FIELD_NAME) {
                    String field = p.currentName();
                    p.nextToken();
                    if (field.equals("benchmark")) {
                        benchmark = p.getText();
                    } else if (field.equals("params")) {
                        while (p.nextToken() == JsonToken.FIELD_NAME) {
                            String k = p.currentName();
                            p.nextToken();
                            params.put(k, p.getText());
                        }
                    } else if (field.equals("primaryMetric")) {
                        while (p.nextToken() == JsonToken.FIELD_NAME) {
                            String k = p.currentName();
                            p.nextToken();
                            if (k.equals("rawData")) {
                                while (p.nextToken() == JsonToken.START_ARRAY) {
                                    while (p.nextToken() != JsonToken.END_ARRAY) {
                                        raw.add(p.getDoubleValue());
                                    }
                                }
                            } else {
                                p.skipChildren();
                            }
                        }
                    } else {
                        p.skipChildren();
                    }
                }
                String shortName = benchmark.substring(benchmark.lastIndexOf('.') + 1);
                out.add(new Cell("backlight " + params.getOrDefault("backend", "cpu") + " " + params.getOrDefault("method", "")
                        + " " + shortName + " t=" + params.getOrDefault("threads", "?"), Integer.parseInt(params.get("batch")), raw));
            }
        }
        return out;
    }

    /** Cells of the PyTorch anchor's JSON ({@code rows} with {@code ms_all}). */
    static List<Cell> readTorch(Path file) throws IOException {
        List<Cell> out = new ArrayList<>();
        try (JsonParser p = new JsonFactory().createParser(file.toFile())) {
            expect(p.nextToken(), JsonToken.START_OBJECT);
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                p.nextToken();
                if (!field.equals("rows")) {
                    p.skipChildren();
                    continue;
                }
                while (p.nextToken() == JsonToken.START_OBJECT) {
                    String id = null;
                    String status = null;
                    int batch = 0;
                    List<Double> all = new ArrayList<>();
                    while (p.nextToken() == JsonToken.FIELD_NAME) {
                        String k = p.currentName();
                        p.nextToken();
                        switch (k) {
                            case "config_id": id = p.getText(); break;
                            case "status": status = p.getText(); break;
                            case "batch": batch = p.getIntValue(); break;
                            case "ms_all":
                                while (p.nextToken() != JsonToken.END_ARRAY) {
                                    all.add(p.getDoubleValue());
                                }
                                break;
                            default: p.skipChildren();
                        }
                    }
                    if ("ok".equals(status) && !all.isEmpty()) {
                        out.add(new Cell("pytorch " + id, batch, all));
                    }
                }
            }
        }
        return out;
    }

    private static void expect(JsonToken actual, JsonToken expected) throws IOException {
        if (actual != expected) {
            throw new IOException("unexpected JSON: " + actual + " where " + expected + " was expected");
        }
    }
}
