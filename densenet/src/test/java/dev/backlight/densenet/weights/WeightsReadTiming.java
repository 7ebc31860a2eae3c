package dev.backlight.densenet.weights;

import dev.backlight.api.Tensor;
import dev.backlight.api.Weights;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A manual benchmark, not a test (Surefire does not run it): reads the same weights from files of
 * several formats, interleaved round by round so that a noisy machine slows every format alike,
 * and prints per format the median, minimum and maximum wall time of a read, the median CPU time
 * of the reading thread (less disturbed by other processes) and the bytes it allocated, relative
 * to the first file (safetensors). It checks that every format gave
 * bit-identical tensors. How {@code docs/PERFORMANCE.md} made its numbers:
 *
 * <pre>
 * java -cp densenet/target/classes:densenet/target/test-classes:$(cat cp.txt) \
 *     dev.backlight.densenet.weights.WeightsReadTiming ROUNDS FILE...
 * </pre>
 */
public final class WeightsReadTiming {
    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    private WeightsReadTiming() {}

    public static void main(String[] args) throws Exception {
        int rounds = Integer.parseInt(args[0]);
        List<Path> files = new ArrayList<>();
        for (int i = 1; i < args.length; i++) {
            files.add(Path.of(args[i]));
        }
        Map<Path, List<Double>> millis = new LinkedHashMap<>();
        Map<Path, List<Double>> cpuMillis = new LinkedHashMap<>();
        Map<Path, Long> allocated = new LinkedHashMap<>();
        Weights first = null;
        long weightBytes = 0;
        for (int round = -1; round < rounds; round++) { // round -1 warms up and checks the tensors
            for (int k = 0; k < files.size(); k++) {
                Path file = files.get((k + Math.max(round, 0)) % files.size()); // rotate the order each round
                System.gc();
                long bytesBefore = THREADS.getCurrentThreadAllocatedBytes();
                long cpuStart = THREADS.getCurrentThreadCpuTime();
                long start = System.nanoTime();
                LoadedWeights w = WeightsFiles.read(file);
                double ms = (System.nanoTime() - start) / 1e6;
                double cpuMs = (THREADS.getCurrentThreadCpuTime() - cpuStart) / 1e6;
                long bytes = THREADS.getCurrentThreadAllocatedBytes() - bytesBefore;
                if (round < 0) {
                    if (first == null) {
                        first = w.weights();
                        weightBytes = first.asMap().values().stream().mapToLong(t -> 4L * t.size()).sum();
                    } else {
                        requireSame(first, w.weights(), file);
                    }
                    allocated.put(file, bytes);
                    continue;
                }
                millis.computeIfAbsent(file, f -> new ArrayList<>()).add(ms);
                cpuMillis.computeIfAbsent(file, f -> new ArrayList<>()).add(cpuMs);
            }
        }
        System.out.printf(Locale.ROOT, "%d rounds; weights %.1f MB as float32; java %s, %d cpus%n", rounds,
                weightBytes / 1e6, System.getProperty("java.version"), Runtime.getRuntime().availableProcessors());
        double base = median(millis.get(files.get(0)));
        double cpuBase = median(cpuMillis.get(files.get(0)));
        for (Path file : files) {
            List<Double> t = millis.get(file);
            List<Double> cpu = cpuMillis.get(file);
            System.out.printf(Locale.ROOT, "%-22s %-30s %6.1f MB  wall median %7.1f ms (min %7.1f, max %7.1f) x%.2f"
                            + "  cpu median %7.1f ms x%.2f  allocated %.2f x the weights%n", file.getFileName(),
                    WeightsFiles.detect(file), Files.size(file) / 1e6, median(t), min(t), max(t), median(t) / base,
                    median(cpu), median(cpu) / cpuBase, allocated.get(file) / (double) weightBytes);
        }
    }

    private static void requireSame(Weights a, Weights b, Path file) {
        if (!a.names().equals(b.names()) && !new java.util.HashSet<>(a.names()).equals(new java.util.HashSet<>(b.names()))) {
            throw new IllegalStateException(file + " has other tensor names");
        }
        for (Map.Entry<String, Tensor> e : a.asMap().entrySet()) {
            if (!Arrays.equals(e.getValue().data(), b.asMap().get(e.getKey()).data())) {
                throw new IllegalStateException(file + " differs in " + e.getKey());
            }
        }
    }

    private static double median(List<Double> v) {
        double[] s = v.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }

    private static double min(List<Double> v) {
        return v.stream().mapToDouble(Double::doubleValue).min().orElse(Double.NaN);
    }

    private static double max(List<Double> v) {
        return v.stream().mapToDouble(Double::doubleValue).max().orElse(Double.NaN);
    }
}
