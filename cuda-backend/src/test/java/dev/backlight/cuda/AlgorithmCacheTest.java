package dev.backlight.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.backlight.cuda.ConvAlgorithms.Candidate;
import dev.backlight.cuda.ConvAlgorithms.Geometry;
import dev.backlight.cuda.ConvAlgorithms.Layout;
import dev.backlight.cuda.ConvAlgorithms.Pass;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** One search per geometry, asked about one batch; refusals move to the next candidate (review findings 2, 3, 4). */
class AlgorithmCacheTest {
    private static final Geometry CONV = new Geometry(Pass.FORWARD, new Device.Conv(64, 128, 1, 1, 1, 0),
            new Layout(64, 56, 56, 256 * 56 * 56), new Layout(128, 56, 56, 128 * 56 * 56));

    private static Candidate c(int algorithm, long memory) {
        return new Candidate(algorithm, 0, 1, 3, memory);
    }

    @Test
    void aGeometryIsSearchedOnceWhateverTheBatch() {
        AlgorithmCache cache = new AlgorithmCache();
        List<Integer> askedAbout = new ArrayList<>();
        for (int batch : new int[] {1, 64, 7, 1}) {
            Candidate chosen = cache.algorithm(CONV, batch, 32, b -> {
                askedAbout.add(b);
                return List.of(c(1, 4096), c(0, 0));
            });
            assertEquals(1, chosen.algorithm());
        }
        assertEquals(List.of(32), askedAbout, "one search, about the search batch");
        assertEquals(1, cache.searches());
        assertEquals(4096, cache.reportedWorkspace(CONV, 1, 32), "the reported workspace holds for the batch it was reported for");
        assertEquals(0, cache.reportedWorkspace(CONV, 1, 64), "and only for it");
    }

    @Test
    void aRefusedAlgorithmIsReplacedByTheNextForEveryLaterCall() {
        AlgorithmCache cache = new AlgorithmCache();
        cache.algorithm(CONV, 4, 32, b -> List.of(c(1, 0), c(2, 0), c(0, 0)));
        assertEquals(2, cache.refuse(CONV, 1, "NOT_SUPPORTED").algorithm());
        assertEquals(2, cache.algorithm(CONV, 8, 32, b -> List.of()).algorithm());
        assertEquals(2, cache.refuse(CONV, 1, "a second thread saw the same refusal").algorithm(), "a stale refusal changes nothing");
        assertEquals(0, cache.refuse(CONV, 2, "BAD_PARAM").algorithm());
        CudaException none = assertThrows(CudaException.class, () -> cache.refuse(CONV, 0, "NOT_SUPPORTED"));
        assertTrue(none.getMessage().contains("IMPLICIT_PRECOMP_GEMM: NOT_SUPPORTED") && none.getMessage().contains("GEMM: BAD_PARAM")
                && none.getMessage().contains("IMPLICIT_GEMM: NOT_SUPPORTED"), none.getMessage());
        assertTrue(cache.summary().contains("forward IMPLICIT_GEMM=1"), cache.summary());
    }
}
