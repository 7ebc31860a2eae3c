package dev.backlight.cli;

import dev.backlight.api.Shape;
import dev.backlight.api.Weights;
import dev.backlight.api.backend.Backend;
import dev.backlight.api.backend.CompileOptions;
import dev.backlight.api.backend.CompiledModel;
import dev.backlight.densenet.DenseNet;
import dev.backlight.densenet.DenseNetConfig;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One compiled DenseNet per input size, compiled on first use with the run's weights and reused;
 * owns the compiled models and closes them all. Not thread-safe.
 */
final class ModelCache implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ModelCache.class);

    private final Backend backend;
    private final DenseNetConfig config;
    private final Weights weights;
    private final CompileOptions options;
    private final Map<List<Integer>, CompiledModel> models = new LinkedHashMap<>();

    /** A cache compiling on {@code backend} with {@code options} (the nodes the method observes). */
    ModelCache(Backend backend, DenseNetConfig config, Weights weights, CompileOptions options) {
        this.backend = backend;
        this.config = config;
        this.weights = weights;
        this.options = options;
    }

    /** The model for inputs of shape {@code [N, 3, H, W]}, compiled now if it is the first of its H×W. */
    CompiledModel forInput(Shape input) {
        List<Integer> size = List.of(input.dim(2), input.dim(3));
        CompiledModel model = models.get(size);
        if (model == null) {
            long start = System.nanoTime();
            model = backend.compile(DenseNet.build(config, size.get(0), size.get(1)), weights, options);
            models.put(size, model);
            LOG.info("compiled {} for {}x{} input on {} in {}", config.name(), size.get(0), size.get(1),
                    backend.name(), Timing.seconds(start));
        }
        return model;
    }

    /** Closes every model; a failure is rethrown after the others are closed, the rest suppressed. */
    @Override
    public void close() {
        RuntimeException failure = null;
        for (CompiledModel m : models.values()) {
            try {
                m.close();
            } catch (RuntimeException e) {
                if (failure == null) {
                    failure = e;
                } else {
                    failure.addSuppressed(e);
                }
            }
        }
        models.clear();
        if (failure != null) {
            throw failure;
        }
    }
}
