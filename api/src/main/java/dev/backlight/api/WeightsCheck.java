package dev.backlight.api;

import dev.backlight.api.graph.Graph;
import dev.backlight.api.graph.Parameter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Checks that weights can be compiled into a model.
 *
 * <p>The policy for values no trained network holds: readers (safetensors, ...) return what a
 * file holds, NaN and infinities included, so that a damaged checkpoint can still be inspected
 * ({@link #nonFinite(Weights)} lists the tensors and counts). Compilation refuses it:
 * {@link #requireUsable(Graph, Weights)}, which every backend calls from
 * {@link dev.backlight.api.backend.Backend#compile}, throws a {@link WeightsFormatException} naming
 * the tensor when a parameter the graph uses holds a NaN or an infinity, or when a batch norm's
 * running variance is negative. One such value makes every logit and every map NaN (or makes
 * {@code 1/√(var + eps)} NaN), which is worse than no answer, so there is no option to accept it.
 * Tensors the graph does not use are not checked at compile time.
 *
 * <p>Stateless and thread-safe.
 */
public final class WeightsCheck {
    /** How many further offending tensors a message names after the first. */
    private static final int NAMED_IN_MESSAGE = 3;

    private WeightsCheck() {}

    /**
     * The non-finite values of one tensor.
     *
     * @param name the tensor's name
     * @param nan how many elements are NaN
     * @param positiveInfinity how many are +∞
     * @param negativeInfinity how many are −∞
     * @param firstIndex the flat (row-major) index of the first non-finite element
     */
    public record NonFiniteTensor(String name, int nan, int positiveInfinity, int negativeInfinity, int firstIndex) {
        /** All non-finite elements. */
        public int count() {
            return nan + positiveInfinity + negativeInfinity;
        }

        @Override
        public String toString() {
            return "'" + name + "': " + count() + " non-finite (" + nan + " NaN, " + positiveInfinity + " +Inf, "
                    + negativeInfinity + " -Inf; the first at flat index " + firstIndex + ")";
        }
    }

    /**
     * Every tensor of {@code weights} that holds a NaN or an infinity, in file order, with counts;
     * empty when all values are finite.
     */
    public static List<NonFiniteTensor> nonFinite(Weights weights) {
        List<NonFiniteTensor> found = new ArrayList<>();
        for (Map.Entry<String, Tensor> e : weights.asMap().entrySet()) {
            NonFiniteTensor t = scan(e.getKey(), e.getValue().data());
            if (t != null) {
                found.add(t);
            }
        }
        return found;
    }

    /**
     * Checks that {@code weights} hold every parameter of {@code graph} with its shape, that each of
     * them is finite, and that no batch-norm running variance is negative.
     *
     * @throws WeightsFormatException naming the weights' source, the first offending tensor (in the
     *     graph's parameter order), what is wrong with it, how many more tensors are affected, and
     *     what to do
     */
    public static void requireUsable(Graph graph, Weights weights) {
        List<String> problems = new ArrayList<>();
        for (Parameter p : graph.parameters()) {
            float[] values = weights.get(p.name(), p.shape()).data(); // throws for missing or mis-shaped
            NonFiniteTensor bad = scan(p.name(), values);
            if (bad != null) {
                problems.add("tensor " + bad);
            } else if (p.role() == Parameter.Role.BN_RUNNING_VAR) {
                String negative = negativeVariances(p.name(), values);
                if (negative != null) {
                    problems.add(negative);
                }
            }
        }
        if (problems.isEmpty()) {
            return;
        }
        String more = problems.size() == 1 ? "" : "; " + (problems.size() - 1) + " more tensor"
                + (problems.size() == 2 ? " is" : "s are") + " affected: " + problems.stream().skip(1)
                .limit(NAMED_IN_MESSAGE).collect(Collectors.joining(", "))
                + (problems.size() - 1 > NAMED_IN_MESSAGE ? ", ..." : "");
        throw new WeightsFormatException("weights " + weights.source() + " cannot be compiled into " + graph.name()
                + ": " + problems.get(0) + more + ". A NaN, an infinity or a negative variance in a parameter turns"
                + " every logit and map into NaN; the checkpoint is damaged or was saved from a diverged run:"
                + " re-export it from a healthy model (WeightsCheck.nonFinite lists every affected tensor)");
    }

    /** The non-finite elements of {@code values}, or null if there are none. */
    private static NonFiniteTensor scan(String name, float[] values) {
        int first = -1;
        for (int i = 0; i < values.length; i++) {
            if (!Float.isFinite(values[i])) {
                first = i;
                break;
            }
        }
        if (first < 0) {
            return null;
        }
        int nan = 0;
        int positive = 0;
        int negative = 0;
        for (int i = first; i < values.length; i++) {
            float v = values[i];
            if (Float.isNaN(v)) {
                nan++;
            } else if (v == Float.POSITIVE_INFINITY) {
                positive++;
            } else if (v == Float.NEGATIVE_INFINITY) {
                negative++;
            }
        }
        return new NonFiniteTensor(name, nan, positive, negative, first);
    }

    /** A description of the negative entries of a running variance, or null if there are none. */
    private static String negativeVariances(String name, float[] variance) {
        int count = 0;
        int first = -1;
        for (int c = 0; c < variance.length; c++) {
            if (variance[c] < 0) {
                count++;
                if (first < 0) {
                    first = c;
                }
            }
        }
        return count == 0 ? null : "running variance '" + name + "' is negative in " + count + " channel"
                + (count == 1 ? "" : "s") + " (the first, channel " + first + ", holds " + variance[first] + ")";
    }
}
