package dev.backlight.cli.explain;

import dev.backlight.WeightsSource;
import dev.backlight.api.backend.BackendOptions;
import dev.backlight.api.backend.BackendSelection;
import dev.backlight.api.backend.Backends;
import dev.backlight.api.method.AttributionMethod;
import dev.backlight.api.method.AttributionMethods;
import dev.backlight.api.method.Target;
import dev.backlight.cli.BackendSettings;
import dev.backlight.cli.Logging;
import dev.backlight.cli.MethodOptions;
import dev.backlight.cli.OutputDirectory;
import dev.backlight.cli.VerboseOption;
import dev.backlight.cli.VersionProvider;
import dev.backlight.cli.progress.Progress;
import dev.backlight.densenet.DenseNet;
import dev.backlight.densenet.DenseNetConfig;
import dev.backlight.densenet.imagenet.ImageLoader;
import dev.backlight.densenet.imagenet.ImageNetPreprocessor;
import dev.backlight.densenet.pretrained.PretrainedWeights;
import dev.backlight.densenet.pretrained.WeightsDownload;
import dev.backlight.render.MapStyle;
import dev.backlight.render.PictureKind;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code backlight explain}: attribution maps for images (files, folders, globs) and {@code .npy}
 * arrays, drawn as pictures people look at and written raw for programs.
 *
 * <p>This class checks the options (a mistake is a usage error and costs nothing): the inputs are
 * expanded, the output names planned, the {@code --out} folder checked and the backend selected,
 * giving an {@link ExplainPlan}. {@link ExplainRun} then loads the weights (a bad weights file
 * fails the run before anything is computed) and explains the inputs batch by batch; a bad input
 * is skipped, named at the end, and makes the exit code 1, while the others complete.
 */
@Command(name = "explain",
        mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        sortOptions = false,
        description = {
            "Computes gradient attribution maps of a DenseNet's classes for images or .npy arrays.",
            "",
            "For an image photo.jpg (upright, resized to 256, centre-cropped to 224, ImageNet-normalised) it writes"
                + " the pictures DIR/photo.<method>.<gray|heatmap|overlay>.png (see --render) and prints the five most"
                + " probable classes. For x.npy (float32 [N,3,H,W], already normalised) it writes DIR/x.logits.npy and"
                + " DIR/x.<method>.npy, the raw maps.",
            "Folders are searched for images recursively; their outputs keep the sub-folders. With --top-k K > 1 each"
                + " map file gets .top<r> after the method. Every input also gets DIR/<stem>.explain.json.",
            "A bad input is skipped and named at the end (exit code 1); the others complete. Two runs cannot write into"
                + " one --out at once: the second is refused.",
            ""})
public final class ExplainCommand implements Callable<Integer> {
    private static final String WEIGHTS_HELP = "pass --weights FILE.safetensors (a torchvision DenseNet state dict, such as"
            + " timm's densenet201.tv_in1k model.safetensors, which uses torchvision names) or --weights random[:SEED]"
            + " to try the pipeline with seeded random weights";

    @Spec
    private CommandSpec spec;

    @Mixin
    private VerboseOption verbose;

    @Parameters(paramLabel = "INPUT", arity = "1..*",
            description = "Image files (.jpg .jpeg .png .bmp .gif .webp .tif), folders of them (searched recursively),"
                    + " globs ('photos/**/*.jpg'), or float32 .npy arrays [N,3,H,W] (H, W >= 32).")
    private List<Path> inputs;

    @Option(names = "--weights", paramLabel = "FILE|random[:SEED]",
            description = "Weights: a safetensors file with torchvision state-dict names, or 'random' / 'random:SEED'"
                    + " (seeded random weights; the maps then show nothing about a trained model). Default: the"
                    + " pretrained DenseNet-201, downloaded once into $XDG_CACHE_HOME/backlight (BACKLIGHT_CACHE)"
                    + " from " + PretrainedWeights.DENSENET201_URL + " (BACKLIGHT_WEIGHTS_URL).")
    private String weights;

    @Option(names = "--model", paramLabel = "NAME", defaultValue = "densenet201", completionCandidates = ModelNames.class,
            description = "Architecture: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}).")
    private String model;

    @Option(names = "--method", paramLabel = "ID", defaultValue = "guided-backprop", completionCandidates = MethodIds.class,
            description = "Attribution method: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}).")
    private String method;

    @Mixin
    private MethodOptions methodOptions;

    @ArgGroup(exclusive = true, multiplicity = "0..1")
    private TargetOptions target;

    @Option(names = "--backend", paramLabel = "NAME", defaultValue = "auto",
            description = "Backend: auto, cpu, cuda, ... (default: ${DEFAULT-VALUE}: the property backlight.backend,"
                    + " then BACKLIGHT_BACKEND, then the best available).")
    private String backend;

    @Option(names = "--threads", paramLabel = "N", defaultValue = "0",
            description = "CPU worker threads; 0 uses every core (default: ${DEFAULT-VALUE}).")
    private int threads;

    @Option(names = "--out", paramLabel = "DIR", defaultValue = "backlight-out",
            description = "Output folder, created if missing (default: ${DEFAULT-VALUE}).")
    private Path out;

    @Option(names = "--max-pixels", paramLabel = "N",
            description = "Refuse an image that declares more than N pixels (width x height), from its header, before"
                    + " decoding it: a guard against decompression bombs, small files that expand to gigabytes"
                    + " (default: the system property " + ImageLoader.MAX_PIXELS_PROPERTY + " if set, else "
                    + ImageLoader.DEFAULT_MAX_PIXELS + ", 100 megapixels).")
    private Long maxPixels;

    @Option(names = "--labels", paramLabel = "FILE",
            description = "Names of the model's classes, for a fine-tuned model: one label a line, a JSON list, or a JSON"
                    + " {\"index\": \"label\"} map (default: ImageNet's names for 1000 classes, else 'class N').")
    private Path labels;

    @Option(names = "--preprocess", paramLabel = "NAME", defaultValue = "torchvision",
            description = "How images are prepared: torchvision (shorter side to 256, centre crop 224; for torchvision"
                    + " and timm weights) or keras (the whole image to 224x224, nearest, as Keras' load_img; for Keras"
                    + " weights). Default: ${DEFAULT-VALUE}.")
    private String preprocess;

    @Mixin
    private RunOptions runOptions;

    @Mixin
    private RenderOptions renderOptions;

    /** Which classes to explain: one given class, or each image's top K (default top 1). */
    static final class TargetOptions {
        @Option(names = "--class", paramLabel = "N", required = true,
                description = "Explain class N (0..999) for every image.")
        private Integer classIndex;

        @Option(names = "--top-k", paramLabel = "K", required = true,
                description = "Explain each image's K most probable classes (1..1000), one map per rank, best first.")
        private Integer topK;
    }

    @Override
    public Integer call() {
        Logging.configure(verbose.enabled());
        ExplainPlan plan = check();
        return new ExplainRun(plan, spec.commandLine().getOut(), spec.commandLine().getErr(), verbose.enabled()).execute();
    }

    /**
     * Checks everything that needs no file content: the options (usage errors), the inputs and
     * their output names, the {@code --out} folder, and the backend.
     */
    private ExplainPlan check() {
        DenseNetConfig config = config();
        WeightsSource weightsSource = weightsSource(config);
        AttributionMethod attributionMethod = method(config);
        // A weights file may hold a fine-tuned head: its class count is known once it is read.
        Target classes = target(weightsSource instanceof WeightsSource.File ? Integer.MAX_VALUE : config.numClasses());
        try {
            ImageNetPreprocessor.byName(preprocess);
        } catch (IllegalArgumentException e) {
            throw usage("--preprocess: " + e.getMessage());
        }
        if (threads < 0) {
            throw usage("--threads " + threads + " is negative; give 0 (every core) or a positive count");
        }
        if (runOptions.batchSize() < 0) {
            throw usage("--batch-size " + runOptions.batchSize() + " is negative; give 0 (automatic) or a positive count");
        }
        long pixelLimit = pixelLimit();
        MapStyle style;
        Set<PictureKind> renders;
        int background;
        Progress.Mode progress;
        try {
            style = renderOptions.style();
            renders = renderOptions.renders();
            background = renderOptions.background();
            progress = runOptions.progress();
        } catch (IllegalArgumentException e) {
            throw usage(e.getMessage());
        }
        InputExpander.Expansion expansion = InputExpander.expand(inputs, out);
        List<Batch.Planned> planned = plan(expansion.inputs(), attributionMethod.id(), classes.perImage(), renders);
        OutputDirectory.check(out);
        BackendSelection selection = Backends.select(backend, attributionMethod.rules());
        BackendOptions backendOptions;
        try {
            backendOptions = BackendSettings.options(threads, selection.chosen().name());
        } catch (IllegalArgumentException e) {
            throw usage(e.getMessage());
        }
        return new ExplainPlan(weightsSource, config, attributionMethod, classes, selection, backendOptions, out, planned,
                expansion.failures(), style, renders, runOptions, renderOptions.fullSize(), renderOptions.grid(),
                background, pixelLimit, methodOptions.given(), labels, preprocess);
    }

    /** The {@code --max-pixels} limit, else the library's default (its system property, else 100 megapixels). */
    private long pixelLimit() {
        if (maxPixels != null) {
            if (maxPixels < 1) {
                throw usage("--max-pixels " + maxPixels + " is not positive; give the largest number of pixels"
                        + " (width x height) an image may have");
            }
            return maxPixels;
        }
        try {
            return ImageLoader.defaultMaxPixels();
        } catch (IllegalArgumentException e) {
            throw usage(e.getMessage());
        }
    }

    private WeightsSource weightsSource(DenseNetConfig config) {
        try {
            if (weights == null || weights.isBlank()) {
                return PretrainedWeights.forModel(config.name())
                        .map(p -> WeightsSource.pretrained())
                        .orElseThrow(() -> usage("there are no default weights for --model " + config.name() + ": "
                                + WEIGHTS_HELP));
            }
            return WeightsSource.parse(weights.trim());
        } catch (IllegalArgumentException e) {
            throw usage(e.getMessage());
        }
    }

    private DenseNetConfig config() {
        try {
            return DenseNetConfig.byName(model);
        } catch (IllegalArgumentException e) {
            throw usage("--model: " + e.getMessage());
        }
    }

    private AttributionMethod method(DenseNetConfig config) {
        try {
            return methodOptions.build(method, DenseNet.build(config, ImageNetPreprocessor.DEFAULT_CROP, ImageNetPreprocessor.DEFAULT_CROP));
        } catch (IllegalArgumentException e) {
            throw usage(e.getMessage().startsWith("--") ? e.getMessage() : "--method: " + e.getMessage());
        }
    }

    /**
     * The target; {@code numClasses} is {@link Integer#MAX_VALUE} when only the weights file can tell
     * (the upper bound is then checked once it is read).
     */
    private Target target(int numClasses) {
        boolean known = numClasses != Integer.MAX_VALUE;
        if (target == null) {
            return Target.top1();
        }
        if (target.classIndex != null) {
            int c = target.classIndex;
            if (c < 0 || c >= numClasses) {
                throw usage("--class " + c + " is out of range: the classes of " + model + " are 0.."
                        + (known ? numClasses - 1 : "K-1, K the number of classes of the weights"));
            }
            return Target.classes(c);
        }
        int k = target.topK;
        if (k < 1 || k > numClasses) {
            throw usage("--top-k " + k + " is out of range: give 1.." + (known ? numClasses : "K, the number of classes of the weights"));
        }
        return Target.topK(k);
    }

    private List<Batch.Planned> plan(List<InputSpec> found, String methodId, int ranks, Set<PictureKind> renders) {
        try {
            // Checked here; the names are made again from the input when needed, not kept.
            OutputNames.planAll(found, methodId, ranks, renders, runOptions.saveRaw(), renderOptions.fullSize(), out);
        } catch (IllegalArgumentException e) {
            throw usage(e.getMessage());
        }
        OutputNames.Naming naming = new OutputNames.Naming(methodId, ranks, renders, runOptions.saveRaw(),
                renderOptions.fullSize());
        List<Batch.Planned> planned = new ArrayList<>(found.size());
        for (InputSpec spec : found) {
            planned.add(new Batch.Planned(spec, naming));
        }
        return planned;
    }

    private ParameterException usage(String message) {
        return new ParameterException(spec.commandLine(), message);
    }

    /** The architectures {@code --model} accepts, for the help text. */
    public static final class ModelNames implements Iterable<String> {
        @Override
        public Iterator<String> iterator() {
            return List.of("densenet121", "densenet161", "densenet169", "densenet201").iterator();
        }
    }

    /** The attribution methods found on the class path, for the help text. */
    public static final class MethodIds implements Iterable<String> {
        @Override
        public Iterator<String> iterator() {
            return AttributionMethods.ids().iterator();
        }
    }
}
