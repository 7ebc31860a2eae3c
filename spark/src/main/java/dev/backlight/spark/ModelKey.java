package dev.backlight.spark;

import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * What makes two explainers interchangeable on one executor: equal keys share one explainer (one
 * pool of compiled models), so a JVM loads each weights file once whatever the number of tasks,
 * partitions or jobs that use it.
 *
 * @param weights the weights' identity: {@code random:SEED}, or the local file with its size and
 *     modification time (a file replaced between jobs is loaded again)
 * @param weightsFile the local weights file, or null for random weights
 * @param randomSeed the seed of random weights (used when {@code weightsFile} is null)
 * @param model the architecture, such as {@code densenet201}
 * @param inputSize the side of the square network input (224: the standard preprocessing)
 * @param method the attribution method's id
 * @param methodOptions its options by name, sorted
 * @param backend {@code auto}, {@code cpu} or {@code cuda}
 * @param device the GPU the task was given, or -1 for the backend's default
 * @param threads worker threads of the CPU backend (the task's CPUs)
 * @param batchSize images per pass, 0 for the library's automatic choice
 * @param maxPixels the most pixels an image may declare
 * @param parallelModels how many compiled models concurrent tasks may use at once (the executor's task slots)
 */
record ModelKey(String weights, String weightsFile, long randomSeed, String model, int inputSize, String method,
                Map<String, String> methodOptions, String backend, int device, int threads, int batchSize,
                long maxPixels, int parallelModels) {
    ModelKey {
        Objects.requireNonNull(weights, "weights");
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(method, "method");
        methodOptions = java.util.Collections.unmodifiableMap(new TreeMap<>(methodOptions));
        Objects.requireNonNull(backend, "backend");
        if (threads < 1 || parallelModels < 1 || batchSize < 0 || maxPixels < 1) {
            throw new IllegalArgumentException("threads " + threads + ", parallel models " + parallelModels + ", batch size "
                    + batchSize + " and pixel limit " + maxPixels + " must be positive (batch size 0: automatic)");
        }
    }

    @Override
    public String toString() {
        return model + " " + inputSize + "x" + inputSize + " with weights " + weights + ", " + method
                + (methodOptions.isEmpty() ? "" : " " + methodOptions) + " on " + backend
                + (device >= 0 ? " device " + device : "") + " (" + threads + " threads, " + parallelModels
                + " parallel models, batch " + (batchSize == 0 ? "auto" : batchSize) + ")";
    }
}
