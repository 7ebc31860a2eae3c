package dev.backlight.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.backlight.api.Tensor;
import dev.backlight.api.Weights;
import dev.backlight.api.graph.Graph;
import dev.backlight.api.graph.Parameter;
import dev.backlight.api.io.Npy;
import dev.backlight.densenet.DenseNet;
import dev.backlight.densenet.DenseNetConfig;
import dev.backlight.densenet.RandomWeights;
import dev.backlight.densenet.weights.SafetensorsWriter;
import dev.backlight.cli.Backlight;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import picocli.CommandLine;

/**
 * What the Spark tests share, made once per test JVM: a folder of test images (good ones in two
 * folders, a truncated JPEG and a text file), and the reference they are checked against: the
 * {@code backlight explain} command itself, run in-process on the good images with the same model,
 * weights and method. DenseNet-121 with seeded random weights keeps the runs short; the maps do not
 * depend on what the weights mean.
 */
final class Fixtures {
    static final String MODEL = "densenet121";
    static final String WEIGHTS = "random:3";
    static final String METHOD = "guided-backprop";
    /** The good images, relative to {@link #images()}, and where they come from in the shared data. */
    static final Map<String, String> GOOD = orderedMap(
            "lion.jpg", "images/lion.jpg",
            "owl_rgba.png", "images/edge-cases/owl_rgba.png",
            "sub/parrot_cmyk.jpg", "images/edge-cases/parrot_cmyk.jpg");
    /** A JPEG cut after its first 20,000 bytes. */
    static final String BROKEN = "broken.jpg";
    /** A text file among the images. */
    static final String NOT_AN_IMAGE = "sub/notes.txt";

    private static Path images;
    private static Path weightsFile;
    private static Map<String, Reference> cli;

    private Fixtures() {
    }

    /** The expected result for one image, as the CLI computed it. */
    record Reference(int predictedClass, String label, double probability, Tensor map, Path grayPicture) {
    }

    /** The test folder: the {@link #GOOD} images, {@link #BROKEN} and {@link #NOT_AN_IMAGE}; made once. */
    static synchronized Path images() {
        if (images == null) {
            try {
                Path folder = Path.of("target", "spark-test-data", "images").toAbsolutePath();
                deleteRecursively(folder.getParent());
                for (Map.Entry<String, String> e : GOOD.entrySet()) {
                    Path target = folder.resolve(e.getKey());
                    Files.createDirectories(target.getParent());
                    Files.copy(shared(e.getValue()), target);
                }
                byte[] lion = Files.readAllBytes(shared("images/lion.jpg"));
                Files.write(folder.resolve(BROKEN), Arrays.copyOf(lion, 20_000));
                Files.writeString(folder.resolve(NOT_AN_IMAGE), "not an image: a note left among the photos\n");
                images = folder;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return images;
    }

    /**
     * The weights {@link #WEIGHTS} names, written as a safetensors file with torchvision's names: the
     * same numbers, so maps made with the file equal the CLI's made with {@code random:3}. Made once.
     */
    static synchronized Path weightsFile() {
        if (weightsFile == null) {
            Path file = Path.of("target", "spark-test-data", "densenet121-random3.safetensors").toAbsolutePath();
            Graph graph = DenseNet.build(DenseNetConfig.byName(MODEL), 224, 224);
            Weights weights = RandomWeights.generate(graph, 3);
            Map<String, Tensor> tensors = new LinkedHashMap<>();
            for (Parameter p : graph.parameters()) {
                tensors.put(p.name(), weights.get(p.name(), p.shape()));
            }
            images(); // makes (and first empties) the data folder
            SafetensorsWriter.write(file, tensors, Map.of());
            weightsFile = file;
        }
        return weightsFile;
    }

    /** The CLI's results for every good image, by its name relative to {@link #images()}; computed once. */
    static synchronized Map<String, Reference> cli() {
        if (cli == null) {
            try {
                Path out = Path.of("target", "spark-test-data", "cli").toAbsolutePath();
                Path report = out.resolve("report.json");
                List<String> args = new ArrayList<>(List.of("explain", "--model", MODEL, "--weights", WEIGHTS, "--method",
                        METHOD, "--backend", "cpu", "--save-raw", "--render", "gray", "--progress", "none", "--report",
                        report.toString(), "--out", out.toString()));
                for (String name : GOOD.keySet()) {
                    args.add(images().resolve(name).toString());
                }
                StringWriter stdout = new StringWriter();
                StringWriter stderr = new StringWriter();
                CommandLine command = Backlight.commandLine();
                command.setOut(new PrintWriter(stdout, true));
                command.setErr(new PrintWriter(stderr, true));
                int status = command.execute(args.toArray(String[]::new));
                assertEquals(0, status, "backlight explain failed:\n" + stdout + stderr);

                JsonNode inputs = new ObjectMapper().readTree(report.toFile()).get("inputs");
                Map<String, Reference> results = new LinkedHashMap<>();
                for (String name : GOOD.keySet()) {
                    Path input = images().resolve(name);
                    JsonNode entry = null;
                    for (JsonNode i : inputs) {
                        if (Path.of(i.get("path").asText()).equals(input)) {
                            entry = i;
                        }
                    }
                    if (entry == null) {
                        fail("the CLI report has no entry for " + input + ": " + inputs);
                    }
                    JsonNode top1 = entry.get("images").get(0).get("top5").get(0);
                    String stem = input.getFileName().toString().replaceFirst("\\.[^.]*$", "");
                    results.put(name, new Reference(top1.get("index").asInt(), top1.get("label").asText(),
                            top1.get("probability").asDouble(), Npy.read(out.resolve(stem + "." + METHOD + ".npy")),
                            out.resolve(stem + "." + METHOD + ".gray.png")));
                }
                cli = results;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return cli;
    }

    /**
     * A file of the repository's test data ({@code testdata/} at its root, found by walking up from
     * this module; {@code -Dbacklight.testData} overrides it).
     */
    static Path shared(String relative) {
        String override = System.getProperty("backlight.testData");
        Path root = override != null ? Path.of(override) : findTestData();
        Path file = root.resolve(relative);
        if (!Files.isRegularFile(file)) {
            fail("test data file " + relative + " is missing from " + root.toAbsolutePath().normalize()
                    + " (the repository's testdata/ folder, or -Dbacklight.testData=<folder>)");
        }
        return file;
    }

    private static Path findTestData() {
        Path start = Path.of("").toAbsolutePath();
        for (Path dir = start; dir != null; dir = dir.getParent()) {
            Path candidate = dir.resolve("testdata");
            if (Files.isRegularFile(candidate.resolve("README.md"))) {
                return candidate;
            }
        }
        return start.resolve("testdata");
    }

    /** Every regular file below {@code folder}, relative, sorted. */
    static List<String> files(Path folder) throws IOException {
        try (Stream<Path> all = Files.walk(folder)) {
            return all.filter(Files::isRegularFile).map(p -> folder.relativize(p).toString()).sorted().toList();
        }
    }

    static void deleteRecursively(Path folder) throws IOException {
        if (!Files.exists(folder)) {
            return;
        }
        try (Stream<Path> all = Files.walk(folder)) {
            for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    private static Map<String, String> orderedMap(String... keysAndValues) {
        Map<String, String> map = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            map.put(keysAndValues[i], keysAndValues[i + 1]);
        }
        return map;
    }
}
