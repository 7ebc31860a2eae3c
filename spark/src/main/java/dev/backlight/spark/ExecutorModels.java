package dev.backlight.spark;

import dev.backlight.Explainer;
import dev.backlight.WeightsSource;
import java.nio.file.Path;
import javax.imageio.ImageIO;

/**
 * The explainers of this JVM, one per configuration: what makes Backlight load a model once per
 * Spark executor instead of once per task or partition.
 *
 * <p>The first task of an executor that needs a configuration (weights, model, input size, method,
 * backend, device, threads) builds its explainer: it loads the weights, creates the backend and
 * compiles models lazily, up to one per task slot. Every later task of that executor, in the same
 * job or a later one, borrows the same explainer; tasks running at once each use their own compiled
 * model of it, sharing the weights. Nothing is broadcast: each executor reads the weights itself,
 * from a file shipped with {@code --files} or a shared file system.
 *
 * <p>Explainers no task uses stay loaded for reuse (the two most recently used configurations);
 * older ones are closed. {@link #release()} frees them all, for an application (or a test) that
 * wants the memory back in a long-lived JVM such as the driver in local mode.
 *
 * <p>Thread-safe; the methods here are for monitoring and tests, the transformer uses it itself.
 */
public final class ExecutorModels {
    /** Configurations kept loaded while no task uses them. */
    static final int MAX_IDLE = 2;
    private static final ModelRegistry<ModelKey, Explainer> REGISTRY = new ModelRegistry<>(ExecutorModels::build, MAX_IDLE);

    private ExecutorModels() {
    }

    /**
     * How many explainers this JVM has built: once per configuration an executor runs (again only
     * after {@link #release()} or when one unused was closed to make room).
     */
    public static long builds() {
        return REGISTRY.builds();
    }

    /** How many explainers this JVM holds now, in use or kept for reuse. */
    public static int loaded() {
        return REGISTRY.size();
    }

    /**
     * Frees every explainer: those no task uses now, the others as soon as their tasks finish. The
     * next task that needs one builds it again.
     */
    public static void release() {
        REGISTRY.releaseAll();
    }

    /** Leases the explainer of {@code key}, building it if this JVM has none. */
    static ModelRegistry<ModelKey, Explainer>.Lease acquire(ModelKey key) {
        return REGISTRY.acquire(key);
    }

    private static Explainer build(ModelKey key) {
        // ImageIO registers the decoders it finds on the context class loader when it first starts; on an
        // executor that may have happened before the application's jars (with TwelveMonkeys' CMYK JPEG,
        // WebP and BMP readers) were on it. Scanning again from a task thread registers them.
        ImageIO.scanForPlugins();
        WeightsSource weights = key.weightsFile() == null ? WeightsSource.random(key.randomSeed())
                : WeightsSource.file(Path.of(key.weightsFile()));
        Explainer.Builder builder = Explainer.builder()
                .model(key.model())
                .weights(weights)
                .method(key.method(), key.methodOptions())
                .backend(key.backend())
                .threads(key.threads())
                .batchSize(key.batchSize())
                .maxPixels(key.maxPixels())
                .parallelModels(key.parallelModels());
        if (key.device() >= 0) {
            builder.device(key.device());
        }
        return builder.build();
    }
}
