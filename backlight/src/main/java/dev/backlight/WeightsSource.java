package dev.backlight;

import dev.backlight.api.BacklightException;
import dev.backlight.api.Weights;
import dev.backlight.api.WeightsCheck;
import dev.backlight.api.WeightsFormatException;
import dev.backlight.api.graph.Graph;
import dev.backlight.api.graph.Parameter;
import dev.backlight.densenet.DenseNet;
import dev.backlight.densenet.DenseNetConfig;
import dev.backlight.densenet.RandomWeights;
import dev.backlight.densenet.imagenet.ImageNetPreprocessor;
import dev.backlight.densenet.pretrained.DownloadListener;
import dev.backlight.densenet.pretrained.PretrainedWeights;
import dev.backlight.densenet.pretrained.WeightsDownload;
import dev.backlight.densenet.weights.LoadedWeights;
import dev.backlight.densenet.weights.WeightsFiles;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Where a model's weights come from: the model's pretrained weights, downloaded once into the
 * cache ({@link #pretrained()}); a file ({@link #file(Path)}); or seeded random values that
 * exercise the pipeline but explain nothing ({@link #random(long)}).
 */
public sealed interface WeightsSource {
    /** The one-line banner drawn on every picture made with random weights (also its PNG "Warning" text). */
    String RANDOM_BANNER = "random weights - not a trained model";

    /** The model's pretrained weights (DenseNet-201's by default; see {@link PretrainedWeights}). */
    static WeightsSource pretrained() {
        return new Pretrained();
    }

    /**
     * A weights file in any format the library reads, found from its bytes: safetensors with
     * torchvision's names, a PyTorch checkpoint ({@code .pth}/{@code .pt}/{@code .bin}, zip or legacy,
     * read by a restricted unpickler that never runs code), or Keras ({@code .h5}, {@code .weights.h5},
     * {@code .keras}); see {@link WeightsFiles}.
     */
    static WeightsSource file(Path path) {
        return new File(path);
    }

    /** Seeded random weights: they run the whole pipeline but the maps show nothing about a trained model. */
    static WeightsSource random(long seed) {
        return new Random(seed);
    }

    /**
     * A weights source as a user writes it: {@code random} or {@code random:SEED}, else a file path
     * (a file literally called {@code random} is {@code ./random}); blank means pretrained.
     *
     * @throws IllegalArgumentException if it is {@code random:} followed by something other than an integer
     */
    static WeightsSource parse(String spec) {
        if (spec == null || spec.isBlank()) {
            return pretrained();
        }
        String s = spec.trim();
        if (s.equals("random")) {
            return random(0);
        }
        Matcher m = Pattern.compile("random:(.*)").matcher(s);
        if (m.matches()) {
            try {
                return random(Long.parseLong(m.group(1).trim()));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("weights '" + spec + "': the seed after 'random:' must be an integer,"
                        + " such as random:42", e);
            }
        }
        return file(Path.of(s));
    }

    /** How reports and logs name the weights: the file path, {@code random:SEED} or the pretrained URL. */
    String description();

    /** The warning every output made with these weights must carry, if any (random weights have one). */
    Optional<String> warning();

    /**
     * Loads the weights for {@code model} and checks that they hold every tensor of its graph with
     * the right shape and only finite values.
     *
     * @param listener hears the progress of a download (pretrained weights not yet cached)
     * @return the model as the weights define it (the given architecture with the class count of
     *     the weights' classifier and the batch-norm epsilon of their format) and its weights
     * @throws WeightsFormatException if the file cannot be read or does not fit the model
     * @throws BacklightException if pretrained weights cannot be downloaded
     */
    Loaded load(DenseNetConfig model, DownloadListener listener);

    /**
     * Weights ready for a model.
     *
     * @param model the model they are for
     * @param weights the tensors, checked against the model's graph
     */
    record Loaded(DenseNetConfig model, Weights weights) {
        public Loaded {
            Objects.requireNonNull(model, "model");
            Objects.requireNonNull(weights, "weights");
        }
    }

    /** A weights file. */
    record File(Path path) implements WeightsSource {
        private static final System.Logger LOG = System.getLogger(WeightsSource.class.getName());

        public File {
            Objects.requireNonNull(path, "path");
        }

        @Override
        public String description() {
            return path.toString();
        }

        @Override
        public Optional<String> warning() {
            return Optional.empty();
        }

        @Override
        public Loaded load(DenseNetConfig model, DownloadListener listener) {
            LoadedWeights loaded = WeightsFiles.read(path);
            DenseNetConfig configured = loaded.configure(model);
            LOG.log(System.Logger.Level.DEBUG, "read {0}", loaded);
            Graph graph = graph(configured);
            Weights weights = loaded.weights();
            Set<String> unused = new HashSet<>(weights.names());
            for (Parameter p : graph.parameters()) {
                try {
                    weights.get(p.name(), p.shape());
                } catch (WeightsFormatException e) {
                    throw new WeightsFormatException(e.getMessage() + " (are these weights for " + graph.name() + "?)", e);
                }
                unused.remove(p.name());
            }
            if (!unused.isEmpty()) {
                List<String> some = unused.stream().sorted().limit(3).toList();
                LOG.log(System.Logger.Level.WARNING, "{0} tensors of {1} are not used by {2}, such as {3}", unused.size(), path,
                        graph.name(), some);
            }
            // NaN, infinite or negative-variance tensors are refused here, before any input is read.
            WeightsCheck.requireUsable(graph, weights);
            return new Loaded(configured, weights);
        }
    }

    /** Seeded random weights ({@link RandomWeights}). */
    record Random(long seed) implements WeightsSource {
        @Override
        public String description() {
            return "random:" + seed;
        }

        @Override
        public Optional<String> warning() {
            return Optional.of("random weights (seed " + seed + "): these maps do not reflect a trained model");
        }

        @Override
        public Loaded load(DenseNetConfig model, DownloadListener listener) {
            return new Loaded(model, RandomWeights.generate(graph(model), seed));
        }
    }

    /** The model's pretrained weights, downloaded into the cache on first use. */
    record Pretrained() implements WeightsSource {
        @Override
        public String description() {
            return "pretrained";
        }

        @Override
        public Optional<String> warning() {
            return Optional.empty();
        }

        @Override
        public Loaded load(DenseNetConfig model, DownloadListener listener) {
            PretrainedWeights weights = PretrainedWeights.forModel(model.name()).orElseThrow(() -> new WeightsFormatException(
                    "there are no pretrained weights for " + model.name() + " in this version: give a weights file"
                            + " (safetensors with torchvision's names), set BACKLIGHT_WEIGHTS_URL, or use random weights"));
            return new File(new WeightsDownload(listener).fetch(weights)).load(model, listener);
        }

        /** Where the pretrained weights of {@code model} come from, for reports. */
        public static String describe(String model) {
            return PretrainedWeights.forModel(model).map(p -> "pretrained " + p.model() + " from " + p.url())
                    .orElse("pretrained " + model + " (none known)");
        }
    }

    /** The graph whose parameters the weights must hold (parameter shapes do not depend on the input size). */
    private static Graph graph(DenseNetConfig model) {
        return DenseNet.build(model, ImageNetPreprocessor.DEFAULT_CROP, ImageNetPreprocessor.DEFAULT_CROP);
    }
}
