package dev.backlight.cli.bench;

import dev.backlight.WeightsSource;
import dev.backlight.api.BacklightException;
import dev.backlight.api.Shape;
import dev.backlight.api.Tensor;
import dev.backlight.api.Weights;
import dev.backlight.api.backend.Backend;
import dev.backlight.api.backend.BackendOptions;
import dev.backlight.api.backend.BackendProvider;
import dev.backlight.api.backend.BackendSelection;
import dev.backlight.api.backend.Backends;
import dev.backlight.api.backend.CompileOptions;
import dev.backlight.api.backend.CompiledModel;
import dev.backlight.api.backend.Precision;
import dev.backlight.api.graph.Graph;
import dev.backlight.api.method.AttributionMethod;
import dev.backlight.api.method.Target;
import dev.backlight.cli.BackendSettings;
import dev.backlight.cli.DownloadProgress;
import dev.backlight.cli.ExitCodes;
import dev.backlight.cli.Logging;
import dev.backlight.cli.MethodOptions;
import dev.backlight.cli.VectorApiHint;
import dev.backlight.cli.VerboseOption;
import dev.backlight.cli.VersionProvider;
import dev.backlight.cli.explain.ExplainCommand;
import dev.backlight.cli.progress.Progress;
import dev.backlight.densenet.DenseNet;
import dev.backlight.densenet.DenseNetConfig;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.OptionalLong;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code backlight bench}: how fast this machine computes attribution maps. For each batch size it
 * compiles the model once, then for each pass (the forward pass alone, and a whole attribution for
 * each image's top-1 class) runs warm-up iterations and timed ones on a seeded random input,
 * recording every iteration's wall time and the memory peaks. Prints a progress line per cell on
 * stderr, a table on stdout at the end, and optionally writes {@code --json} and {@code --plot}.
 *
 * <p>A quick check for users; the JMH benchmarks in the {@code bench} module are the careful
 * measurement (forked JVMs, more iterations).
 */
@Command(name = "bench",
        mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        sortOptions = false,
        description = {
            "Measures the speed and memory of attribution on this machine: per batch size, warm-up then timed iterations"
                + " of the forward pass alone and of a whole attribution (forward + backward for each image's top-1 class),"
                + " on a seeded random input.",
            "Prints a table (median ms per batch with min-max, images/s, peak Java heap, peak device memory) and can"
                + " write it as JSON (--json) and draw throughput and memory against batch size (--plot).",
            ""})
public final class BenchCommand implements Callable<Integer> {
    /** The only arithmetic the backends have in this version. */
    static final String FP32 = "fp32";
    static final String TF32 = "tf32";
    /** The smallest input side DenseNet's five down-samplings accept. */
    static final int MIN_SIZE = 32;
    private static final long INPUT_SEED = 2;

    @Spec
    private CommandSpec spec;

    @Mixin
    private VerboseOption verbose;

    @Option(names = "--backend", paramLabel = "NAME", defaultValue = "auto",
            description = "Backend: auto, cpu, cuda, ... (default: ${DEFAULT-VALUE}: the property backlight.backend,"
                    + " then BACKLIGHT_BACKEND, then the best available).")
    private String backend;

    @Option(names = "--threads", paramLabel = "N", defaultValue = "0",
            description = "CPU worker threads; 0 uses every core (default: ${DEFAULT-VALUE}).")
    private int threads;

    @Option(names = "--model", paramLabel = "NAME", defaultValue = "densenet201", completionCandidates = ExplainCommand.ModelNames.class,
            description = "Architecture: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}).")
    private String model;

    @Option(names = "--method", paramLabel = "ID", defaultValue = "guided-backprop", completionCandidates = ExplainCommand.MethodIds.class,
            description = "Attribution method timed by the forward-backward pass: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}).")
    private String method;

    @Mixin
    private MethodOptions methodOptions;

    @Option(names = "--batch-sizes", paramLabel = "N", split = ",", defaultValue = "1,8",
            description = "Batch sizes to measure, comma-separated (default: ${DEFAULT-VALUE}).")
    private List<Integer> batchSizes;

    @Option(names = "--size", paramLabel = "PIXELS", defaultValue = "224",
            description = "Input height and width (at least " + MIN_SIZE + "; default: ${DEFAULT-VALUE}).")
    private int size;

    @Option(names = "--precision", paramLabel = "P", defaultValue = FP32,
            description = "Arithmetic: fp32 (every backend), or tf32 (the cuda backend's tensor cores; less exact)"
                    + " (default: ${DEFAULT-VALUE}).")
    private String precision;

    @Option(names = "--warmup", paramLabel = "N", defaultValue = "2",
            description = "Untimed iterations before each measurement (default: ${DEFAULT-VALUE}).")
    private int warmup;

    @Option(names = "--iterations", paramLabel = "N", defaultValue = "5",
            description = "Timed iterations of each measurement (default: ${DEFAULT-VALUE}).")
    private int iterations;

    @Option(names = "--pass", paramLabel = "PASS", defaultValue = "both",
            description = "What to time: forward, forward-backward (a whole attribution) or both (default: ${DEFAULT-VALUE}).")
    private String pass;

    @Option(names = "--weights", paramLabel = "random[:SEED]|FILE", defaultValue = "random",
            description = "Weights: seeded random values (default: ${DEFAULT-VALUE}; speed does not depend on the values),"
                    + " or a safetensors file with torchvision names.")
    private String weights;

    @Option(names = "--json", paramLabel = "FILE", description = "Also write the results as JSON (every iteration's time).")
    private Path json;

    @Option(names = "--plot", paramLabel = "FILE.png",
            description = "Also draw images/s and peak memory against batch size into a PNG.")
    private Path plot;

    @Override
    public Integer call() {
        Logging.configure(verbose.enabled());
        DenseNetConfig config = config();
        List<Integer> batches = batches();
        List<BenchResult.Pass> passes = passes();
        checkCounts();
        checkPrecision();
        WeightsSource source = weightsSource();
        Graph graph = DenseNet.build(config, size, size);
        AttributionMethod attribution = method(graph);
        prepareOutput(json, "--json");
        prepareOutput(plot, "--plot");
        BackendSelection selection = Backends.select(backend, attribution.rules());
        if (precision.equals(TF32)) {
            if (!selection.chosen().name().equals("cuda")) {
                throw usage("--precision tf32 runs on the cuda backend only, and the selected backend is '"
                        + selection.chosen().name() + "'; give --backend cuda on a GPU machine, or --precision fp32");
            }
        }
        VectorApiHint.warnIfScalar(selection.chosen().name(), spec.commandLine().getErr());
        WeightsSource.Loaded read = source.load(config, new DownloadProgress(Progress.Mode.AUTO, spec.commandLine().getErr()));
        Weights loaded = read.weights();
        if (!read.model().equals(config)) {
            // A checkpoint with its own head (class count, epsilon): the graph follows the weights.
            graph = DenseNet.build(read.model(), size, size);
        }
        PrintWriter err = spec.commandLine().getErr();
        BackendOptions options;
        try {
            options = BackendSettings.options(threads, selection.chosen().name()).toBuilder()
                    .precision(Precision.byId(precision)).build();
        } catch (IllegalArgumentException e) {
            throw usage(e.getMessage());
        }
        List<BenchResult> results = new ArrayList<>();
        try (Backend engine = selection.create(options)) {
            DeviceMemoryMeter device = DeviceMemoryMeter.of(engine);
            BenchReport.Setup setup = new BenchReport.Setup(config.name(), size, attribution.id(), engine.name(),
                    options.effectiveThreads(), precision, source.description(), warmup, iterations, device.description());
            err.println("bench: " + setup.title() + "; weights " + source.description()
                    + (source instanceof WeightsSource.Random ? " (speed does not depend on the weight values)" : ""));
            err.flush();
            BacklightException stopped = null;
            try {
                measure(engine, graph, loaded, attribution, batches, passes, device, results, err);
            } catch (OutOfMemoryError e) {
                // The cell's buffers are unreachable once measure() has unwound: report what completed.
                stopped = new BacklightException(String.format(Locale.ROOT,
                        "out of memory at batch %d (max heap %.1f GiB): give the JVM more (java -Xmx...) or use smaller batches",
                        nextBatch(batches, results, passes), Runtime.getRuntime().maxMemory() / (double) (1L << 30)), e);
            }
            if (!results.isEmpty()) {
                BenchReport.printTable(spec.commandLine().getOut(), setup, results);
                if (json != null) {
                    BenchReport.writeJson(json, setup, results);
                }
                if (plot != null) {
                    BenchPlot.write(plot, setup, results);
                }
            }
            if (stopped != null) {
                throw stopped;
            }
        }
        return ExitCodes.OK;
    }

    private void measure(Backend engine, Graph graph, Weights loaded, AttributionMethod attribution, List<Integer> batches,
                         List<BenchResult.Pass> passes, DeviceMemoryMeter device, List<BenchResult> results, PrintWriter err) {
        HeapPeakMeter heap = new HeapPeakMeter();
        int cells = batches.size() * passes.size();
        for (int batch : batches) {
            Tensor input = randomInput(batch);
            try (CompiledModel compiled = engine.compile(graph, loaded, new CompileOptions(attribution.observedNodes()))) {
                for (BenchResult.Pass p : passes) {
                    err.printf(Locale.ROOT, "[%d/%d] batch %d, %s: %d warm-up + %d timed iterations%n",
                            results.size() + 1, cells, batch, p.id(), warmup, iterations);
                    err.flush();
                    BenchResult r = cell(compiled, attribution, input, p, heap, device);
                    results.add(r);
                    err.printf(Locale.ROOT, "[%d/%d]   median %.1f ms/batch (%.1f-%.1f), %.2f images/s%n", results.size(), cells,
                            r.medianMs(), r.minMs(), r.maxMs(), r.imagesPerSecond());
                    err.flush();
                }
            }
        }
    }

    private BenchResult cell(CompiledModel compiled, AttributionMethod attribution, Tensor input, BenchResult.Pass p,
                             HeapPeakMeter heap, DeviceMemoryMeter device) {
        for (int i = 0; i < warmup; i++) {
            run(compiled, attribution, input, p);
        }
        // Start each cell's memory peaks from the live data, not from the garbage of the cells before.
        System.gc();
        heap.reset();
        device.reset();
        List<Double> ms = new ArrayList<>(iterations);
        for (int i = 0; i < iterations; i++) {
            long start = System.nanoTime();
            run(compiled, attribution, input, p);
            ms.add((System.nanoTime() - start) / 1e6);
        }
        long heapPeak = heap.peakBytes();
        OptionalLong devicePeak = device.peakBytes();
        return new BenchResult(input.shape().dim(0), p, ms, heapPeak, devicePeak);
    }

    private static Object run(CompiledModel compiled, AttributionMethod attribution, Tensor input, BenchResult.Pass p) {
        return switch (p) {
            case FORWARD -> compiled.forward(input);
            case FORWARD_BACKWARD -> attribution.attribute(compiled, input, Target.top1());
        };
    }

    private Tensor randomInput(int batch) {
        SplittableRandom rnd = new SplittableRandom(INPUT_SEED);
        float[] x = new float[Math.multiplyExact(batch, 3 * size * size)];
        for (int i = 0; i < x.length; i++) {
            // Roughly the range of ImageNet-normalised pixels.
            x[i] = (float) (rnd.nextDouble() * 4 - 2);
        }
        return Tensor.of(Shape.of(batch, 3, size, size), x);
    }

    private static int nextBatch(List<Integer> batches, List<BenchResult> results, List<BenchResult.Pass> passes) {
        return batches.get(Math.min(results.size() / passes.size(), batches.size() - 1));
    }

    private DenseNetConfig config() {
        try {
            return DenseNetConfig.byName(model.trim());
        } catch (IllegalArgumentException e) {
            throw usage("--model: " + e.getMessage());
        }
    }

    private List<Integer> batches() {
        LinkedHashSet<Integer> distinct = new LinkedHashSet<>();
        for (Integer b : batchSizes) {
            if (b == null || b < 1) {
                throw usage("--batch-sizes " + joined(batchSizes) + ": every batch size must be at least 1");
            }
            distinct.add(b);
        }
        if (distinct.isEmpty()) {
            throw usage("--batch-sizes: give at least one batch size, such as 1,8");
        }
        return new ArrayList<>(distinct);
    }

    private List<BenchResult.Pass> passes() {
        return switch (pass.trim().toLowerCase(Locale.ROOT)) {
            case "forward" -> List.of(BenchResult.Pass.FORWARD);
            case "forward-backward" -> List.of(BenchResult.Pass.FORWARD_BACKWARD);
            case "both" -> List.of(BenchResult.Pass.FORWARD, BenchResult.Pass.FORWARD_BACKWARD);
            default -> throw usage("--pass " + pass + ": give forward, forward-backward or both");
        };
    }

    private void checkCounts() {
        if (iterations < 1) {
            throw usage("--iterations " + iterations + ": at least 1 timed iteration is needed");
        }
        if (warmup < 0) {
            throw usage("--warmup " + warmup + ": give 0 or more warm-up iterations");
        }
        if (threads < 0) {
            throw usage("--threads " + threads + ": give 0 (every core) or a positive number");
        }
        if (size < MIN_SIZE) {
            throw usage("--size " + size + ": DenseNet needs inputs of at least " + MIN_SIZE + "x" + MIN_SIZE + " pixels");
        }
    }

    private void checkPrecision() {
        String p = precision.trim().toLowerCase(java.util.Locale.ROOT);
        if (!p.equals(FP32) && !p.equals(TF32)) {
            List<String> names = Backends.providers().stream().map(BackendProvider::name).toList();
            throw usage("--precision " + precision + " is not available: the backends of this version (" + String.join(", ", names)
                    + ") compute in fp32, and the cuda backend also in tf32; give --precision fp32 or tf32");
        }
        precision = p;
    }

    private WeightsSource weightsSource() {
        try {
            return WeightsSource.parse(weights.trim());
        } catch (IllegalArgumentException e) {
            throw usage(e.getMessage());
        }
    }

    private AttributionMethod method(Graph graph) {
        try {
            return methodOptions.build(method.trim(), graph);
        } catch (IllegalArgumentException e) {
            throw usage(e.getMessage());
        }
    }

    /**
     * Creates the folder of an output file and checks that a file can be created in it, before
     * anything is measured, so that a long run does not end in a failed write.
     */
    private static void prepareOutput(Path file, String option) {
        if (file == null) {
            return;
        }
        if (Files.isDirectory(file)) {
            throw new BacklightException(option + " " + file + " is a folder; give a file name");
        }
        Path folder = file.toAbsolutePath().getParent();
        try {
            Files.createDirectories(folder);
            Files.delete(Files.createTempFile(folder, ".backlight-bench-", ".tmp"));
        } catch (IOException e) {
            throw new BacklightException("cannot write " + option + " " + file + " (" + e + "); give a writable location", e);
        }
    }

    private static String joined(List<Integer> values) {
        return String.join(",", values.stream().map(String::valueOf).toList());
    }

    private ParameterException usage(String message) {
        return new ParameterException(spec.commandLine(), message);
    }
}
