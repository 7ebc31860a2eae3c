package dev.backlight.cli.bench;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.OptionalLong;

/**
 * One measured cell of {@code backlight bench}: a batch size and a pass, with the wall time of
 * every timed iteration and the memory peaks seen during them.
 *
 * @param batch images per batch
 * @param pass what each iteration ran
 * @param iterationMs wall time of each timed iteration, in milliseconds, in the order they ran
 * @param peakHeapBytes the Java heap's peak use during the timed iterations ({@link HeapPeakMeter})
 * @param peakDeviceBytes the device's peak memory use during them, empty when not measured
 *     ({@link DeviceMemoryMeter})
 */
record BenchResult(int batch, Pass pass, List<Double> iterationMs, long peakHeapBytes, OptionalLong peakDeviceBytes) {

    /** What one iteration runs. */
    enum Pass {
        /** {@code CompiledModel.forward} on the batch. */
        FORWARD("forward"),
        /** A whole attribution: the method's forward and backward passes for each image's top-1 class. */
        FORWARD_BACKWARD("forward-backward");

        private final String id;

        Pass(String id) {
            this.id = id;
        }

        /** The name the command line and the reports use. */
        String id() {
            return id;
        }
    }

    BenchResult {
        if (iterationMs.isEmpty()) {
            throw new IllegalArgumentException("a bench result needs at least one timed iteration");
        }
        iterationMs = List.copyOf(iterationMs);
    }

    /** The median ms per batch (the mean of the middle two for an even count). */
    double medianMs() {
        double[] sorted = iterationMs.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }

    /** The fastest iteration, ms per batch. */
    double minMs() {
        return iterationMs.stream().mapToDouble(Double::doubleValue).min().orElseThrow();
    }

    /** The slowest iteration, ms per batch. */
    double maxMs() {
        return iterationMs.stream().mapToDouble(Double::doubleValue).max().orElseThrow();
    }

    /** Throughput at the median: {@code batch / median seconds}. */
    double imagesPerSecond() {
        return batch * 1000.0 / medianMs();
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "batch %d %s: median %.1f ms of %s", batch, pass.id(), medianMs(),
                Arrays.toString(iterationMs.toArray()));
    }
}
