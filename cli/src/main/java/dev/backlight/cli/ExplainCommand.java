package dev.backlight.cli;

import dev.backlight.api.BacklightException;
import dev.backlight.api.Weights;
import dev.backlight.api.backend.Backend;
import dev.backlight.api.backend.BackendOptions;
import dev.backlight.api.backend.BackendSelection;
import dev.backlight.api.backend.CompileOptions;
import dev.backlight.api.backend.Backends;
import dev.backlight.api.method.AttributionMethod;
import dev.backlight.api.method.AttributionMethods;
import dev.backlight.api.method.Target;
import dev.backlight.densenet.DenseNet;
import dev.backlight.densenet.DenseNetConfig;
import dev.backlight.densenet.imagenet.ImageNetLabels;
import dev.backlight.densenet.imagenet.ImageNetPreprocessor;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code backlight explain}: attribution maps for images and {@code .npy} arrays.
 *
 * <p>The run has three stages so that a mistake costs nothing and leaves nothing behind: first
 * the options, the output names and the {@code --out} folder are checked and the backend is
 * selected; then every input and the weights are read and validated; only then is the folder
 * created, and the batches are computed, each batch's files written (atomically) as soon as it
 * is done.
 */
@Command(name = "explain",
        mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        sortOptions = false,
        description = {
            "Computes gradient attribution maps of a DenseNet's classes for images or .npy arrays.",
            "",
            "For an image photo.jpg (resized to 256, centre-cropped to 224, ImageNet-normalised) it writes"
                + " DIR/photo.<method>.png and prints the five most probable classes. For x.npy (float32 [N,3,H,W],"
                + " already normalised) it writes DIR/x.logits.npy and DIR/x.<method>.npy, the raw maps.",
            "With --top-k K > 1 each map file gets a .top<r> suffix per rank r. Every input also gets"
                + " DIR/<stem>.explain.json, which says what was computed.",
            ""})
public final class ExplainCommand implements Callable<Integer> {
    /** Images run through the network together. */
    static final int IMAGES_PER_BATCH = 8;

    private static final String WEIGHTS_HELP = "pass --weights FILE.safetensors (a torchvision DenseNet state dict, such as"
            + " timm's densenet201.tv_in1k model.safetensors, which uses torchvision names) or --weights random[:SEED]"
            + " to try the pipeline with seeded random weights";

    @Spec
    private CommandSpec spec;

    @Mixin
    private VerboseOption verbose;

    @Parameters(paramLabel = "INPUT", arity = "1..*",
            description = "Image files (.jpg .jpeg .png .bmp .gif) or float32 .npy arrays [N,3,H,W] (H, W >= 32).")
    private List<Path> inputs;

    @Option(names = "--weights", paramLabel = "FILE|random[:SEED]",
            description = "Weights: a safetensors file with torchvision state-dict names, or 'random' / 'random:SEED'"
                    + " (seeded random weights; the maps then show nothing about a trained model). Required.")
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

    /** Which classes to explain: one given class, or each image's top K (default top 1). */
    static final class TargetOptions {
        @Option(names = "--class", paramLabel = "N", required = true,
                description = "Explain class N (0..999) for every image.")
        private Integer classIndex;

        @Option(names = "--top-k", paramLabel = "K", required = true,
                description = "Explain each image's K most probable classes (1..1000), one map per rank, best first.")
        private Integer topK;
    }

    /** The options, checked: what to compute and where. */
    private record Request(WeightsSource weights, DenseNetConfig config, AttributionMethod method, Target target,
                           List<OutputNames> names, BackendSelection backend) {
    }

    @Override
    public Integer call() {
        Logging.configure(verbose.enabled());
        Logger log = LoggerFactory.getLogger(ExplainCommand.class);
        Request request = check();
        log.info("backend selection:\n{}", request.backend().report().stripTrailing());
        try {
            long start = System.nanoTime();
            List<InputFile> loaded = new InputLoader(ImageNetPreprocessor.standard()).loadAll(inputs);
            log.info("read {} inputs in {}", loaded.size(), Timing.seconds(start));
            start = System.nanoTime();
            Weights loadedWeights = request.weights().load(DenseNet.build(request.config(),
                    ImageNetPreprocessor.DEFAULT_CROP, ImageNetPreprocessor.DEFAULT_CROP));
            log.info("loaded weights {} in {}", request.weights().description(), Timing.seconds(start));
            request.weights().warning().ifPresent(w -> {
                spec.commandLine().getErr().println("WARNING: " + w);
                spec.commandLine().getErr().flush();
            });
            OutputDirectory.prepare(out);
            compute(request, loaded, loadedWeights);
        } catch (OutOfMemoryError e) {
            throw new BacklightException("out of memory (maximum heap " + (Runtime.getRuntime().maxMemory() >> 20)
                    + " MiB): give Java more with -Xmx (java -Xmx8g -jar backlight.jar ...), or explain fewer"
                    + " or smaller inputs at a time", e);
        }
        return ExitCodes.OK;
    }

    /**
     * Checks everything that needs no file content: the options (usage errors), the output names,
     * the {@code --out} folder, and the backend.
     */
    private Request check() {
        WeightsSource weightsSource = weightsSource();
        DenseNetConfig config = config();
        AttributionMethod attributionMethod = method(config);
        Target classes = target(config.numClasses());
        if (threads < 0) {
            throw usage("--threads " + threads + " is negative; give 0 (every core) or a positive count");
        }
        List<OutputNames> names = outputNames(attributionMethod.id(), classes.perImage());
        OutputDirectory.check(out);
        BackendSelection selection = Backends.select(backend, attributionMethod.rule());
        return new Request(weightsSource, config, attributionMethod, classes, names, selection);
    }

    private void compute(Request request, List<InputFile> inputFiles, Weights loadedWeights) {
        ImageNetLabels labels = ImageNetLabels.load();
        ExplainContext context = new ExplainContext(request.config().name(), request.weights(), request.method().id(),
                describe(request.target()), request.backend().chosen().name());
        try (Backend engine = request.backend().create(new BackendOptions(threads));
             ModelCache models = new ModelCache(engine, request.config(), loadedWeights,
                     new CompileOptions(request.method().observedNodes()))) {
            new Explainer(request.method(), request.target(), models, new OutputWriter(out, context, labels),
                    new SummaryPrinter(spec.commandLine().getOut(), context, labels), spec.commandLine().getErr(), labels)
                    .run(Batch.plan(inputFiles, request.names(), IMAGES_PER_BATCH));
        }
    }

    private WeightsSource weightsSource() {
        if (weights == null || weights.isBlank()) {
            throw usage("--weights is required: " + WEIGHTS_HELP);
        }
        try {
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

    private Target target(int numClasses) {
        if (target == null) {
            return Target.top1();
        }
        if (target.classIndex != null) {
            int c = target.classIndex;
            if (c < 0 || c >= numClasses) {
                throw usage("--class " + c + " is out of range: the classes of " + model + " are 0.." + (numClasses - 1));
            }
            return Target.classes(c);
        }
        int k = target.topK;
        if (k < 1 || k > numClasses) {
            throw usage("--top-k " + k + " is out of range: give 1.." + numClasses);
        }
        return Target.topK(k);
    }

    private String describe(Target t) {
        return t instanceof Target.Classes c ? "class " + c.perImageClasses()[0] : "top-" + t.perImage();
    }

    private List<OutputNames> outputNames(String methodId, int ranks) {
        try {
            return OutputNames.planAll(inputs, methodId, ranks, out);
        } catch (IllegalArgumentException e) {
            throw usage(e.getMessage());
        }
    }

    private ParameterException usage(String message) {
        return new ParameterException(spec.commandLine(), message);
    }

    /** The architectures {@code --model} accepts, for the help text. */
    static final class ModelNames implements Iterable<String> {
        @Override
        public Iterator<String> iterator() {
            return List.of("densenet121", "densenet161", "densenet169", "densenet201").iterator();
        }
    }

    /** The attribution methods found on the class path, for the help text. */
    static final class MethodIds implements Iterable<String> {
        @Override
        public Iterator<String> iterator() {
            return AttributionMethods.ids().iterator();
        }
    }
}
