package dev.backlight.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** {@link GemmPartition}: the tasks tile C exactly once, on tile bounds, whatever the shape and threads. */
class GemmPartitionTest {
    private static final GemmPartition.Tiling TILING = new GemmPartition.Tiling(4, 16, 128, 320, 0, 4, 8e6, 1.5e6);

    @Test
    void tasksCoverEveryElementOnce() {
        int[] sizes = {1, 2, 3, 4, 5, 15, 16, 17, 32, 49, 128, 129, 196, 1000};
        for (int m : sizes) {
            for (int n : sizes) {
                for (int k : new int[] {1, 64, 1152}) {
                    for (int threads : new int[] {1, 2, 3, 8}) {
                        check(GemmPartition.of(m, n, k, TILING, threads), m, n, m + "x" + n + "x" + k + " on " + threads);
                    }
                }
            }
        }
        check(GemmPartition.of(32, 3136, 1152, TILING, 2), 32, 3136, "32x3136x1152 on 2");
        check(GemmPartition.of(1152, 3136, 32, TILING, 2), 1152, 3136, "1152x3136x32 on 2");
    }

    @Test
    void oneThreadGetsCacheSizedBlocksAndMoreThreadsGetWork() {
        GemmPartition serial = GemmPartition.of(1152, 3136, 32, TILING, 1);
        assertEquals(9, serial.rowBlocks(), serial.toString());
        assertEquals(10, serial.colBlocks(), serial.toString());
        GemmPartition big = GemmPartition.of(128, 196, 1024, TILING, 2);
        assertTrue(big.tasks() >= 2, big.toString());
        GemmPartition tiny = GemmPartition.of(4, 16, 16, TILING, 2);
        assertEquals(1, tiny.tasks(), tiny.toString());
    }

    private static void check(GemmPartition p, int m, int n, String what) {
        int[] hits = new int[m * n];
        for (int t = 0; t < p.tasks(); t++) {
            int i0 = p.rowStart(t);
            int i1 = p.rowEnd(t);
            int j0 = p.colStart(t);
            int j1 = p.colEnd(t);
            assertTrue(i0 < i1 && j0 < j1, what + ": empty task " + t + " in " + p);
            assertTrue(i0 % 4 == 0 && (i1 % 4 == 0 || i1 == m), what + ": rows off the tile grid in " + p);
            assertTrue(j0 % 16 == 0 && (j1 % 16 == 0 || j1 == n), what + ": columns off the tile grid in " + p);
            for (int i = i0; i < i1; i++) {
                for (int j = j0; j < j1; j++) {
                    hits[i * n + j]++;
                }
            }
        }
        for (int x = 0; x < hits.length; x++) {
            if (hits[x] != 1) {
                throw new AssertionError(what + ": element " + x / n + "," + x % n + " in " + hits[x] + " tasks of " + p);
            }
        }
    }
}
