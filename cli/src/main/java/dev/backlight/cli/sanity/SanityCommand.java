package dev.backlight.cli.sanity;

import dev.backlight.WeightsSource;
import dev.backlight.api.Tensor;
import dev.backlight.api.Weights;
import dev.backlight.api.backend.Backend;
import dev.backlight.api.backend.BackendOptions;
import dev.backlight.api.backend.BackendSelection;
import dev.backlight.api.backend.Backends;
import dev.backlight.api.graph.Graph;
import dev.backlight.api.method.AttributionMethod;
import dev.backlight.api.method.Target;
import dev.backlight.cli.BackendSettings;
import dev.backlight.cli.DownloadProgress;
import dev.backlight.cli.ExitCodes;
import dev.backlight.cli.Logging;
import dev.backlight.cli.MethodOptions;
import dev.backlight.cli.OutputDirectory;
import dev.backlight.cli.VerboseOption;
import dev.backlight.cli.VersionProvider;
import dev.backlight.cli.explain.InputLoader;
import dev.backlight.cli.progress.Progress;
import dev.backlight.densenet.DenseNet;
import dev.backlight.densenet.DenseNetConfig;
import dev.backlight.densenet.imagenet.ImageNetPreprocessor;
import dev.backlight.densenet.sanity.ModelRandomization;
import dev.backlight.densenet.sanity.RandomizationStep;
import dev.backlight.densenet.sanity.SanityReport;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code backlight sanity}: the model-parameter randomization test of Adebayo et al. (2018) for
 * one input and one or more methods. Writes {@code DIR/<stem>.sanity.json} (similarity per step
 * and method) and {@code DIR/<stem>.sanity.png} (one row of maps per method: the original model,
 * then each randomization step), and prints a table.
 */
@Command(name = "sanity",
        mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        sortOptions = false,
        description = {
            "Checks whether attribution maps depend on the model: re-initialises DenseNet's layers with random weights,"
                + " from the classifier down (cascading) or one at a time (independent), and measures how similar each map"
                + " stays to the original (Spearman rank correlation of absolute and signed maps, SSIM, HOG correlation).",
            "Similarities that fall towards 0 mean the map depends on the learned weights; similarities that stay high mean"
                + " the map mostly shows the input (Adebayo et al. 2018 found this for Guided Backpropagation).",
            ""})
public final class SanityCommand implements Callable<Integer> {
    @Spec
    private CommandSpec spec;

    @Mixin
    private VerboseOption verbose;

    @Parameters(paramLabel = "INPUT", description = "One image or float32 .npy [N,3,H,W].")
    private Path input;

    @Option(names = "--weights", paramLabel = "FILE|random[:SEED]", required = true,
            description = "The model to check: a safetensors file with torchvision names, or random[:SEED].")
    private String weights;

    @Option(names = "--model", paramLabel = "NAME", defaultValue = "densenet201",
            description = "Architecture (default: ${DEFAULT-VALUE}).")
    private String model;

    @Option(names = "--methods", paramLabel = "ID,...", split = ",", defaultValue = "gradient,guided-backprop",
            description = "Methods to check, comma-separated (default: ${DEFAULT-VALUE}).")
    private List<String> methods;

    @Mixin
    private MethodOptions methodOptions;

    @Option(names = "--mode", paramLabel = "MODE", defaultValue = "cascading",
            description = "cascading (top layer down, accumulating) or independent (one layer at a time) (default: ${DEFAULT-VALUE}).")
    private String mode;

    @Option(names = "--randomization-seed", paramLabel = "N", defaultValue = "1",
            description = "Seed of the random weights that replace the model's (default: ${DEFAULT-VALUE}).")
    private long randomizationSeed;

    @Option(names = "--backend", paramLabel = "NAME", defaultValue = "auto", description = "Backend (default: ${DEFAULT-VALUE}).")
    private String backend;

    @Option(names = "--threads", paramLabel = "N", defaultValue = "0", description = "CPU worker threads; 0 = every core.")
    private int threads;

    @Option(names = "--out", paramLabel = "DIR", defaultValue = "backlight-out", description = "Output folder (default: ${DEFAULT-VALUE}).")
    private Path out;

    @Override
    public Integer call() {
        Logging.configure(verbose.enabled());
        DenseNetConfig config = config();
        ModelRandomization.Mode randomization = mode();
        WeightsSource source = weightsSource();
        Graph checkGraph = DenseNet.build(config, ImageNetPreprocessor.DEFAULT_CROP, ImageNetPreprocessor.DEFAULT_CROP);
        List<AttributionMethod> toCheck = new ArrayList<>();
        for (String id : methods) {
            try {
                toCheck.add(methodOptions.build(id.trim(), checkGraph));
            } catch (IllegalArgumentException e) {
                throw new ParameterException(spec.commandLine(), e.getMessage());
            }
        }
        OutputDirectory.check(out);
        List<BackendSelection> selections = new ArrayList<>();
        for (AttributionMethod m : toCheck) {
            selections.add(Backends.select(backend, m.rules()));
        }
        Tensor pixels = InputLoader.readPixels(input);
        int[] dims = pixels.shape().dims();
        WeightsSource.Loaded read = source.load(config, new DownloadProgress(Progress.Mode.AUTO, spec.commandLine().getErr()));
        Graph graph = DenseNet.build(read.model(), dims[2], dims[3]);
        Weights loaded = read.weights();
        PrintWriter err = spec.commandLine().getErr();
        source.warning().ifPresent(w -> {
            err.println("WARNING: " + w);
            err.flush();
        });
        OutputDirectory.prepare(out);
        var layers = ModelRandomization.denseNetBlocks(graph);
        List<SanityReport> reports = new ArrayList<>();
        for (int i = 0; i < toCheck.size(); i++) {
            AttributionMethod m = toCheck.get(i);
            try (Backend engine = selections.get(i).create(BackendSettings.options(threads, selections.get(i).chosen().name()))) {
                reports.add(ModelRandomization.run(engine, graph, loaded, m, pixels, Target.top1(), layers, randomization,
                        randomizationSeed, step -> {
                            err.printf("%s: %s%n", m.id(), step < 0 ? "original model" : "randomizing " + new ArrayList<>(layers.keySet()).get(step));
                            err.flush();
                        }));
            }
        }
        String name = input.getFileName() == null ? input.toString() : input.getFileName().toString();
        String stem = name.lastIndexOf('.') > 0 ? name.substring(0, name.lastIndexOf('.')) : name;
        SanityOutput.writeJson(out.resolve(stem + ".sanity.json"), input, config.name(), source, reports);
        SanityOutput.writeGrid(out.resolve(stem + ".sanity.png"), reports, source.warning().orElse(null));
        printTable(spec.commandLine().getOut(), reports);
        return ExitCodes.OK;
    }

    private static void printTable(PrintWriter out, List<SanityReport> reports) {
        for (SanityReport r : reports) {
            out.printf("%s (%s; target class %d of image 0)%n", r.method(), r.mode().name().toLowerCase(Locale.ROOT), r.targetClasses()[0]);
            out.printf("  %-24s %9s %9s %7s %7s%n", "randomized down to", "rank|abs|", "rank sign", "SSIM", "HOG");
            for (RandomizationStep s : r.steps()) {
                out.printf("  %-24s %9.3f %9.3f %7.3f %7.3f%n", s.name(), s.spearmanAbsolute(), s.spearmanSigned(), s.ssim(), s.hog());
            }
        }
        out.flush();
    }

    private DenseNetConfig config() {
        try {
            return DenseNetConfig.byName(model);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), "--model: " + e.getMessage());
        }
    }

    private ModelRandomization.Mode mode() {
        try {
            return ModelRandomization.Mode.valueOf(mode.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), "--mode " + mode + ": give cascading or independent");
        }
    }

    private WeightsSource weightsSource() {
        try {
            return WeightsSource.parse(weights.trim());
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
    }
}
