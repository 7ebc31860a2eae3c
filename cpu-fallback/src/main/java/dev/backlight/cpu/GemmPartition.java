package dev.backlight.cpu;

import java.util.Arrays;

/**
 * How one GEMM call splits C into tasks: a grid of row blocks × column blocks, one task per block,
 * run on the worker pool or, when that would not pay, one after another on the calling thread.
 * Block bounds are multiples of a kernel's tile sizes (except at the matrix edge). A kernel that
 * keeps the {@link GemmKernel} contract gives the same bits for every partition, so the grid is free
 * to adapt to the shape and the thread count; a small cost model chooses it.
 */
final class GemmPartition {
    /**
     * What a kernel tells the partition. Block bounds fall on multiples of {@code rowTile} rows and
     * {@code colTile} columns, and cache blocking wants blocks of at most {@code maxRows × maxCols}.
     * Costs, in flop-equivalents of the kernel: each task packs its rows of A and its columns of B,
     * {@code packRowCost} and {@code packColCost} per element and step of k; running on the pool
     * costs {@code parallelCost} once (waking its threads, then the caller) and {@code taskCost} per
     * task (a steal and a wake-up, at worst).
     */
    record Tiling(int rowTile, int colTile, int maxRows, int maxCols, double packRowCost, double packColCost,
                  double parallelCost, double taskCost) {
    }

    /** Past this many tasks per thread the cache blocking alone gives every thread enough work. */
    private static final int ENOUGH_TASKS_PER_THREAD = 4;

    private final int[] rowBounds;
    private final int[] colBounds;
    private final boolean parallel;

    private GemmPartition(int[] rowBounds, int[] colBounds, boolean parallel) {
        this.rowBounds = rowBounds;
        this.colBounds = colBounds;
        this.parallel = parallel;
    }

    /** The partition of {@code C[m×n] += A[m×k]·B[k×n]} for a pool of {@code threads}. */
    static GemmPartition of(int m, int n, int k, Tiling tiling, int threads) {
        int tilesM = ceilDiv(m, tiling.rowTile);
        int tilesN = ceilDiv(n, tiling.colTile);
        int rb0 = Math.min(tilesM, ceilDiv(m, tiling.maxRows));
        int cb0 = Math.min(tilesN, ceilDiv(n, tiling.maxCols));
        GemmPartition cacheBlocked = grid(m, n, tiling, rb0, cb0, threads > 1);
        if (threads == 1 || (long) rb0 * cb0 >= (long) ENOUGH_TASKS_PER_THREAD * threads) {
            return cacheBlocked;
        }
        // Few tasks: weigh finer grids, which keep every thread busy, against staying on the calling thread.
        GemmPartition best = grid(m, n, tiling, rb0, cb0, false);
        double bestCost = best.cost(k, tiling, threads);
        int maxTasks = ENOUGH_TASKS_PER_THREAD * threads;
        for (int rb = rb0; rb <= Math.min(tilesM, maxTasks); rb++) {
            for (int cb = cb0; cb <= Math.min(tilesN, maxTasks / rb); cb++) {
                if (rb * cb == 1) {
                    continue;
                }
                GemmPartition p = grid(m, n, tiling, rb, cb, true);
                double cost = p.cost(k, tiling, threads);
                if (cost < bestCost * 0.98) {
                    best = p;
                    bestCost = cost;
                }
            }
        }
        return best;
    }

    /** Whether the tasks go to the worker pool rather than run one after another on the caller. */
    boolean parallel() {
        return parallel;
    }

    int tasks() {
        return rowBlocks() * colBlocks();
    }

    int rowBlocks() {
        return rowBounds.length - 1;
    }

    int colBlocks() {
        return colBounds.length - 1;
    }

    /** First row of task {@code t}'s block. */
    int rowStart(int t) {
        return rowBounds[t / colBlocks()];
    }

    /** One past the last row of task {@code t}'s block. */
    int rowEnd(int t) {
        return rowBounds[t / colBlocks() + 1];
    }

    /** First column of task {@code t}'s block. */
    int colStart(int t) {
        return colBounds[t % colBlocks()];
    }

    /** One past the last column of task {@code t}'s block. */
    int colEnd(int t) {
        return colBounds[t % colBlocks() + 1];
    }

    @Override
    public String toString() {
        return "rows " + Arrays.toString(rowBounds) + " × columns " + Arrays.toString(colBounds)
                + (parallel ? " in parallel" : " on the caller");
    }

    private static GemmPartition grid(int m, int n, Tiling tiling, int rb, int cb, boolean parallel) {
        return new GemmPartition(bounds(m, tiling.rowTile, rb), bounds(n, tiling.colTile, cb), parallel);
    }

    /** {@code blocks} near-equal ranges of [0, size) with inner bounds on multiples of tile (fewer if too small). */
    private static int[] bounds(int size, int tile, int blocks) {
        int[] b = new int[blocks + 1];
        int count = 0;
        for (int i = 1; i < blocks; i++) {
            int bound = (int) Math.round((double) size * i / blocks / tile) * tile;
            if (bound > b[count] && bound < size) {
                b[++count] = bound;
            }
        }
        b[++count] = size;
        return Arrays.copyOf(b, count + 1);
    }

    /** Estimated time on {@code threads} threads, in flop-equivalents. */
    private double cost(int k, Tiling tiling, int threads) {
        double sum = 0;
        double max = 0;
        for (int r = 0; r < rowBlocks(); r++) {
            int rows = rowBounds[r + 1] - rowBounds[r];
            double paddedRows = ceilDiv(rows, tiling.rowTile) * (double) tiling.rowTile;
            for (int c = 0; c < colBlocks(); c++) {
                int cols = colBounds[c + 1] - colBounds[c];
                double paddedCols = ceilDiv(cols, tiling.colTile) * (double) tiling.colTile;
                double block = 2.0 * k * paddedRows * paddedCols
                        + k * (tiling.packRowCost * rows + tiling.packColCost * cols);
                sum += block;
                max = Math.max(max, block);
            }
        }
        if (!parallel) {
            return sum;
        }
        int tasks = tasks();
        int rounds = ceilDiv(tasks, threads);
        return Math.max(max, rounds * sum / tasks) + tiling.parallelCost + tiling.taskCost * tasks;
    }

    private static int ceilDiv(int x, int y) {
        return (x + y - 1) / y;
    }

    /** Runs {@code task} for every task index: on the workers when {@link #parallel()}, else on this thread. */
    void run(Workers workers, java.util.function.IntConsumer task) {
        if (parallel()) {
            workers.run(tasks(), task);
        } else {
            for (int t = 0; t < tasks(); t++) {
                task.accept(t);
            }
        }
    }
}
