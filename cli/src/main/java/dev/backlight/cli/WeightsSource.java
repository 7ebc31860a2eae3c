package dev.backlight.cli;

import dev.backlight.api.Weights;
import dev.backlight.api.WeightsCheck;
import dev.backlight.api.WeightsFormatException;
import dev.backlight.api.graph.Graph;
import dev.backlight.api.graph.Parameter;
import dev.backlight.densenet.RandomWeights;
import dev.backlight.densenet.weights.SafetensorsReader;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where {@code explain}'s weights come from, as {@code --weights} names it: a safetensors file with
 * torchvision state-dict names, or {@code random[:SEED]} for seeded random values (a file literally
 * called {@code random} is named {@code ./random}); without {@code --weights}, the model's
 * pretrained weights, downloaded once into the cache ({@link Pretrained}).
 */
sealed interface WeightsSource {
    /** The one-line banner drawn on maps made with random weights (also their PNG "Warning" text). */
    String RANDOM_BANNER = "random weights - not a trained model";

    /**
     * Parses a {@code --weights} value.
     *
     * @throws IllegalArgumentException if it is {@code random:} followed by something other than an
     *     integer seed
     */
    static WeightsSource parse(String spec) {
        if (spec.equals("random")) {
            return new Random(0);
        }
        Matcher m = Pattern.compile("random:(.*)").matcher(spec);
        if (m.matches()) {
            try {
                return new Random(Long.parseLong(m.group(1).trim()));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("--weights " + spec + ": the seed after 'random:' must be an integer,"
                        + " such as random:42");
            }
        }
        return new File(Path.of(spec));
    }

    /** How reports and logs name the weights: the file path or {@code random:SEED}. */
    String description();

    /** The warning every output of these weights must carry, if any. */
    Optional<String> warning();

    /**
     * Loads the weights and checks that they hold every tensor of {@code graph} with the right shape
     * (parameter shapes do not depend on the input size).
     *
     * @throws WeightsFormatException if the file cannot be read, does not fit the graph, or holds a
     *     NaN, an infinity or a negative batch-norm running variance
     */
    Weights load(Graph graph);

    /** A safetensors file with torchvision state-dict names. */
    record File(Path path) implements WeightsSource {
        private static final Logger LOG = LoggerFactory.getLogger(WeightsSource.class);

        @Override
        public String description() {
            return path.toString();
        }

        @Override
        public Optional<String> warning() {
            return Optional.empty();
        }

        @Override
        public Weights load(Graph graph) {
            Weights weights = SafetensorsReader.read(path);
            Set<String> unused = new HashSet<>(weights.names());
            for (Parameter p : graph.parameters()) {
                try {
                    weights.get(p.name(), p.shape());
                } catch (WeightsFormatException e) {
                    throw new WeightsFormatException(e.getMessage() + " (are these weights for --model "
                            + graph.name() + "?)", e);
                }
                unused.remove(p.name());
            }
            if (!unused.isEmpty()) {
                List<String> some = unused.stream().sorted().limit(3).toList();
                LOG.warn("{} tensors of {} are not used by {}, such as {}", unused.size(), path, graph.name(), some);
            }
            // NaN, infinite or negative-variance tensors are refused here, before any input is read.
            WeightsCheck.requireUsable(graph, weights);
            return weights;
        }
    }

    /** Seeded random weights ({@link RandomWeights}): they exercise the pipeline but explain nothing. */
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
        public Weights load(Graph graph) {
            return RandomWeights.generate(graph, seed);
        }
    }

    /** The model's default pretrained weights, downloaded into the cache on first use. */
    record Pretrained(PretrainedWeights weights, WeightsDownload download) implements WeightsSource {
        @Override
        public String description() {
            return "pretrained " + weights.model() + " from " + weights.url();
        }

        @Override
        public Optional<String> warning() {
            return Optional.empty();
        }

        @Override
        public Weights load(Graph graph) {
            return new File(download.fetch(weights)).load(graph);
        }
    }
}
