package dev.backlight.cpu;

import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Opt-in time per kind of step (system property {@value #PROPERTY}{@code =true}): where a
 * backend's forward and backward passes spend their time, for performance work. Shared by every
 * model of the JVM; {@link #report()} is logged when a CPU backend closes.
 */
final class StepProfile {
    static final String PROPERTY = "backlight.cpu.profile";
    static final boolean ENABLED = Boolean.getBoolean(PROPERTY);
    private static final Map<String, LongAdder> NANOS = new ConcurrentHashMap<>();

    private StepProfile() {
    }

    static void add(Step step, boolean forward, long nanos) {
        String key = step.getClass().getSimpleName().replace("Step", "") + (step instanceof ConvStep c ? c.shapeKind() : "")
                + (forward ? " forward" : " backward");
        NANOS.computeIfAbsent(key, k -> new LongAdder()).add(nanos);
    }

    /** A table of milliseconds and shares by step kind, largest first; empty if nothing was timed. */
    static String report() {
        Map<String, Long> snapshot = new TreeMap<>();
        NANOS.forEach((k, v) -> snapshot.put(k, v.sum()));
        long total = snapshot.values().stream().mapToLong(Long::longValue).sum();
        if (total == 0) {
            return "";
        }
        StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "CPU step profile (%.0f ms in all):%n", total / 1e6));
        snapshot.entrySet().stream().sorted((a, b) -> Long.compare(b.getValue(), a.getValue())).forEach(e ->
                sb.append(String.format(Locale.ROOT, "  %-34s %10.0f ms %5.1f %%%n", e.getKey(), e.getValue() / 1e6, 100.0 * e.getValue() / total)));
        return sb.toString();
    }
}
