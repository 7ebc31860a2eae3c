package dev.backlight.cuda;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntFunction;

/**
 * The convolution algorithms one backend chose, per {@link ConvAlgorithms.Geometry}: shared by
 * every model the backend compiles (a benchmark compiles one per batch size) and asked for once
 * per geometry, not per batch size, and always about the same batch
 * ({@link ConvolutionRunner#SEARCH_BATCH}). cuDNN's answer depends on the batch it is asked about
 * (measured timings, and heuristics that see the batch), so an answer per batch would compute the
 * same image in different summation orders at different batch sizes, or in chunks of different
 * sizes; one answer per geometry, asked about a fixed batch, keeps the algorithm, and with it each
 * image's arithmetic, the same — with the heuristics, also from one backend or run to the next.
 *
 * <p>When an algorithm is refused where it runs ({@link AlgorithmRefusedException}), the next one
 * of the ranking replaces it for every later call. Thread-safe.
 */
class AlgorithmCache {
    private static final System.Logger LOG = System.getLogger(AlgorithmCache.class.getName());

    private final Map<ConvAlgorithms.Geometry, Ranking> rankings = new ConcurrentHashMap<>();
    private final AtomicInteger searches = new AtomicInteger();

    /** The ranking of usable candidates for one geometry and which of them is in use. */
    private static final class Ranking {
        private final List<ConvAlgorithms.Candidate> candidates;
        private final int searchBatch;
        private final List<String> refusals = new ArrayList<>();
        private int current;

        Ranking(List<ConvAlgorithms.Candidate> candidates, int searchBatch) {
            if (candidates.isEmpty()) {
                throw new IllegalArgumentException("a ranking needs at least one candidate");
            }
            this.candidates = List.copyOf(candidates);
            this.searchBatch = searchBatch;
        }

        synchronized ConvAlgorithms.Candidate current() {
            return candidates.get(current);
        }

        synchronized ConvAlgorithms.Candidate refuse(ConvAlgorithms.Geometry g, int algorithm, String reason) {
            if (candidates.get(current).algorithm() == algorithm) {
                refusals.add(ConvAlgorithms.name(g.pass(), algorithm) + ": " + reason);
                current++;
                if (current == candidates.size()) {
                    current--;
                    throw new CudaException("cuDNN refused every " + g.pass().id() + " algorithm it was offered for " + g
                            + ": " + String.join("; ", refusals), 0);
                }
                LOG.log(System.Logger.Level.DEBUG, () -> "cuDNN refused " + ConvAlgorithms.name(g.pass(), algorithm) + " for " + g
                        + " (" + reason + "); using " + ConvAlgorithms.name(g.pass(), candidates.get(current).algorithm()));
            }
            return candidates.get(current);
        }
    }

    /**
     * The algorithm for a geometry: the one chosen before, or the first of {@code search}'s
     * ranking, which runs once per geometry (concurrent callers for the same geometry wait for it).
     *
     * @param batch the batch the convolution runs on now (not part of the question)
     * @param searchBatch the batch cuDNN is asked about
     * @param search the usable candidates for a batch, best first, never empty
     */
    ConvAlgorithms.Candidate algorithm(ConvAlgorithms.Geometry g, int batch, int searchBatch,
                                       IntFunction<List<ConvAlgorithms.Candidate>> search) {
        return rankings.computeIfAbsent(g, k -> {
            searches.incrementAndGet();
            List<ConvAlgorithms.Candidate> ranked = search.apply(searchBatch);
            LOG.log(System.Logger.Level.DEBUG, () -> "convolution " + g + ": " + ranked.stream()
                    .map(c -> ConvAlgorithms.name(g.pass(), c.algorithm())).toList() + " (asked about batch " + searchBatch + ")");
            return new Ranking(ranked, searchBatch);
        }).current();
    }

    /** The workspace cuDNN reported for a geometry's algorithm, if it was searched at this batch; else 0. */
    long reportedWorkspace(ConvAlgorithms.Geometry g, int algorithm, int batch) {
        Ranking r = rankings.get(g);
        if (r == null || r.searchBatch != batch) {
            return 0;
        }
        return r.candidates.stream().filter(c -> c.algorithm() == algorithm).mapToLong(ConvAlgorithms.Candidate::memory).findFirst().orElse(0);
    }

    /**
     * Records that {@code algorithm} was refused for a geometry and returns the next candidate.
     *
     * @throws CudaException if no candidate is left; the message lists every refusal
     */
    ConvAlgorithms.Candidate refuse(ConvAlgorithms.Geometry g, int algorithm, String reason) {
        Ranking r = rankings.get(g);
        if (r == null) {
            throw new IllegalStateException("no algorithm was chosen for " + g);
        }
        return r.refuse(g, algorithm, reason);
    }

    /** How many searches ran: one per geometry seen. */
    int searches() {
        return searches.get();
    }

    /** The algorithm in use per geometry. */
    Map<ConvAlgorithms.Geometry, Integer> chosen() {
        Map<ConvAlgorithms.Geometry, Integer> out = new TreeMap<>(java.util.Comparator.comparing(ConvAlgorithms.Geometry::toString));
        rankings.forEach((g, r) -> out.put(g, r.current().algorithm()));
        return out;
    }

    /** How many geometries use each algorithm, such as {@code forward IMPLICIT_PRECOMP_GEMM=80}: for reports. */
    String summary() {
        Map<String, Integer> counts = new TreeMap<>();
        chosen().forEach((g, a) -> counts.merge(g.pass().id() + " " + ConvAlgorithms.name(g.pass(), a), 1, Integer::sum));
        return searches() + " searches; " + counts;
    }

    /** Forgets every choice (tests use it to show what choosing per batch would do). */
    void clear() {
        rankings.clear();
    }
}
