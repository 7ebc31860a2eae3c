package dev.backlight.cli.explain;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.backlight.WeightsSource;
import dev.backlight.api.BacklightException;
import dev.backlight.api.internal.io.AtomicFiles;
import dev.backlight.densenet.pretrained.PretrainedWeights;
import dev.backlight.render.MapStyle;
import dev.backlight.render.PictureKind;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The settings that decide what an {@code explain} run writes for an input — model, weights (and
 * the SHA-256 of the weights file), method and its options, target, pictures and drawing style,
 * raw maps, full-size pictures, background — kept in the output folder as {@value #NAME}, so that
 * {@code --resume} can refuse to add outputs made with other settings to those of an earlier run.
 * What changes only how a run goes (backend, threads, batch size, progress, report, grid, pixel
 * limit) is not part of it: the backends agree to float rounding and each input's report names
 * the backend that made it.
 *
 * @param settings name to value, in a fixed order
 */
record RunRecord(Map<String, String> settings) {
    /** The record's file name in the output folder. */
    static final String NAME = ".backlight-run.json";
    private static final JsonFactory JSON = JsonFactory.builder().build();
    /** Larger records are not Backlight's. */
    private static final long MAX_BYTES = 1 << 20;

    RunRecord {
        settings = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(settings));
    }

    /**
     * The settings of {@code plan}. The weights file is read to hash it (about 0.3 s for
     * DenseNet-201's 80 MB); pretrained weights are hashed if they are in the cache.
     *
     * @param methodOptions the method's options as given ({@code --samples 20} gives samples=20)
     */
    static RunRecord of(ExplainPlan plan, Map<String, String> methodOptions) {
        Map<String, String> s = new LinkedHashMap<>();
        s.put("model", plan.config().name());
        s.put("weights", plan.weights().description());
        weightsFile(plan).flatMap(RunRecord::sha256).ifPresent(sha -> s.put("weightsSha256", sha));
        s.put("method", plan.method().id());
        new TreeMap<>(methodOptions).forEach((name, value) -> s.put("method." + name, value));
        s.put("target", plan.targetDescription());
        List<String> renders = new ArrayList<>();
        for (PictureKind kind : PictureKind.values()) {
            if (plan.renders().contains(kind)) {
                renders.add(kind.id());
            }
        }
        s.put("render", String.join(",", renders));
        MapStyle style = plan.style();
        s.put("reduce", style.reduction().id());
        s.put("sign", style.sign().id());
        s.put("clipPercentile", Double.toString(style.clipPercentile()));
        s.put("colormap", style.colormap().name());
        s.put("overlayAlpha", Double.toString(style.overlayAlpha()));
        s.put("saveRaw", Boolean.toString(plan.run().saveRaw()));
        s.put("fullSize", Boolean.toString(plan.fullSize()));
        s.put("background", String.format(Locale.ROOT, "#%06x", plan.background()));
        return new RunRecord(s);
    }

    /** The file the weights are read from, if they come from one that exists now. */
    private static Optional<Path> weightsFile(ExplainPlan plan) {
        if (plan.weights() instanceof WeightsSource.File f) {
            return Optional.of(f.path());
        }
        if (plan.weights() instanceof WeightsSource.Pretrained) {
            return PretrainedWeights.forModel(plan.config().name()).map(PretrainedWeights::cachedFile)
                    .filter(Files::isRegularFile);
        }
        return Optional.empty();
    }

    private static Optional<String> sha256(Path file) {
        try (InputStream in = new DigestInputStream(Files.newInputStream(file), MessageDigest.getInstance("SHA-256"))) {
            byte[] buffer = new byte[1 << 16];
            while (in.read(buffer) >= 0) {
                // the digest sees every byte
            }
            return Optional.of(HexFormat.of().formatHex(((DigestInputStream) in).getMessageDigest().digest()));
        } catch (IOException e) {
            return Optional.empty(); // unreadable: loading the weights will say so
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }

    /**
     * The record in {@code folder}, if there is one.
     *
     * @throws BacklightException if it exists but is not a record (damaged, or not Backlight's)
     */
    static Optional<RunRecord> read(Path folder) {
        Path file = folder.resolve(NAME);
        byte[] bytes;
        try {
            if (Files.size(file) > MAX_BYTES) {
                throw damaged(file, "it is larger than " + MAX_BYTES + " bytes");
            }
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new BacklightException("cannot read " + file + ": " + e + "; check its permissions", e);
        }
        Map<String, String> settings = new LinkedHashMap<>();
        try (JsonParser p = JSON.createParser(bytes)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw damaged(file, "it is not a JSON object");
            }
            for (JsonToken t = p.nextToken(); t != JsonToken.END_OBJECT; t = p.nextToken()) {
                if (t != JsonToken.FIELD_NAME) {
                    throw damaged(file, "it is not a JSON object");
                }
                String name = p.getCurrentName();
                JsonToken value = p.nextToken();
                if (value == JsonToken.VALUE_STRING) {
                    settings.put(name, p.getText());
                } else {
                    p.skipChildren(); // a later version's structured setting: not compared
                }
            }
        } catch (IOException e) {
            throw damaged(file, "it is not valid JSON (" + e.getMessage().lines().findFirst().orElse("") + ")");
        }
        settings.remove("backlight");
        return Optional.of(new RunRecord(settings));
    }

    private static BacklightException damaged(Path file, String why) {
        return new BacklightException(file + " should record the settings of the run that wrote the folder, but " + why
                + "; delete it, and run without --resume (or with --resume-anyway)");
    }

    /**
     * Writes the record into {@code folder}, atomically.
     *
     * @throws BacklightException if it cannot be written
     */
    void write(Path folder, String version) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (JsonGenerator out = JSON.createGenerator(bytes, JsonEncoding.UTF8)) {
            out.useDefaultPrettyPrinter();
            out.writeStartObject();
            out.writeStringField("backlight", version);
            for (Map.Entry<String, String> e : settings.entrySet()) {
                out.writeStringField(e.getKey(), e.getValue());
            }
            out.writeEndObject();
            out.writeRaw('\n');
        } catch (IOException e) {
            throw new UncheckedIOException("writing JSON to memory cannot fail", e);
        }
        Path file = folder.resolve(NAME);
        try {
            AtomicFiles.write(file, channel -> {
                ByteBuffer b = ByteBuffer.wrap(bytes.toByteArray());
                while (b.hasRemaining()) {
                    channel.write(b);
                }
            });
        } catch (IOException e) {
            throw new BacklightException("cannot write " + file + ": " + e, e);
        }
    }

    /**
     * How this run's settings differ from {@code earlier}'s, one phrase per setting ({@code weights:
     * random:1 then, random:2 now}); empty if they agree. A setting that only one of them records
     * (the weights' hash when the pretrained file was not cached yet) is not compared.
     */
    List<String> differencesFrom(RunRecord earlier) {
        List<String> differences = new ArrayList<>();
        // The same file named another way (./w.safetensors, an absolute path) is the same weights.
        String sha = settings.get("weightsSha256");
        boolean sameWeightsFile = sha != null && sha.equals(earlier.settings.get("weightsSha256"));
        for (Map.Entry<String, String> e : settings.entrySet()) {
            if (sameWeightsFile && e.getKey().equals("weights")) {
                continue;
            }
            String before = earlier.settings.get(e.getKey());
            boolean optional = e.getKey().equals("weightsSha256");
            if (before == null && (optional || e.getKey().startsWith("method."))) {
                if (!optional) {
                    differences.add(e.getKey() + ": unset then, " + e.getValue() + " now");
                }
                continue;
            }
            if (!e.getValue().equals(before)) {
                differences.add(e.getKey() + ": " + (before == null ? "unrecorded" : before) + " then, " + e.getValue()
                        + " now");
            }
        }
        for (Map.Entry<String, String> e : earlier.settings.entrySet()) {
            if (e.getKey().startsWith("method.") && !settings.containsKey(e.getKey())) {
                differences.add(e.getKey() + ": " + e.getValue() + " then, unset now");
            }
        }
        return differences;
    }
}
