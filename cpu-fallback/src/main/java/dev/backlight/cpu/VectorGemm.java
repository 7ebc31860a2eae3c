package dev.backlight.cpu;

import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The Vector API GEMM kernel: register-tiled micro-kernels over packed panels of B, after BLIS
 * (Van Zee and van de Geijn, "BLIS: A Framework for Rapidly Instantiating BLAS Functionality",
 * ACM TOMS 2015). Loaded only by {@link Gemm#loadVectorKernel()}, when the JVM has
 * {@code jdk.incubator.vector}; no other class may refer to this one or to that module.
 *
 * <p>Each task owns a block of C. For every block of {@value #KC} steps of k it packs its columns
 * of B into micro-panels NR columns wide (zero-padded at the edge, in a per-thread buffer kept
 * across calls), then runs a micro-kernel on each tile of 6 (or 4) rows × NR columns of C: one
 * vector accumulator per row and vector of columns, held in registers, and per step of k one load
 * of B per vector and one broadcast of A per row. A is read in place: packing it would cost more
 * than it saves on DenseNet's narrow images (n = 196 or 49 columns), where each row of A serves
 * few tiles. Rows go in tiles of 6, with tiles of 4 where that makes an even row count come out
 * exact (32 = 6+6+6+6+4+4); a tile cut by the edge of C goes through a zero-padded scratch copy (of
 * its rows of A, of C or both), so edges do the same arithmetic as the interior. Blocks of fewer
 * than 4 rows (the classifier at batch 1) skip the packing and read B in place.
 *
 * <p>The accumulators are loaded from C and stored back around each k block, so every element of C
 * is one unbroken {@code fma} chain in k order (see {@link GemmKernel}): the tiling, the k blocking
 * and the tasks do not change a bit.
 *
 * <p>Tile widths, measured with JDK 17 and 25 on Zen 5 (AVX-512): 6 × 3 vectors (18 accumulators)
 * beat 4 × 3, 5 × 3 and 4 × 4 by 5 to 25 %; 24 accumulators (8 × 3, 6 × 4) make C2 give up on
 * keeping the vectors unboxed, 20 times slower. With 16 vector registers (AVX2), 18 accumulators
 * spill, so tiles are 6 × 2 vectors there, as in BLIS's Haswell kernel.
 */
final class VectorGemm implements GemmKernel {
    private static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;
    /** Floats per vector: 8 with AVX2, 16 with AVX-512, 4 with NEON. */
    private static final int V = SPECIES.length();
    /** Vectors per tile row: 3 where there are 32 vector registers (AVX-512), 2 otherwise. */
    private static final int NV = V >= 16 ? 3 : 2;
    /** Columns per tile and per packed micro-panel of B. */
    private static final int NR = NV * V;
    /** Rows per tile; tiles of 4 rows fill in (see the class comment). */
    private static final int MR = 6;
    /** Steps of k per block: a packed micro-panel of B (KC × NR floats, 48 KiB with AVX-512) stays near L1. */
    private static final int KC = 256;
    /**
     * Tasks of at most 128 rows × 20 vectors of columns (packed B: KC × 320 floats = 320 KiB with
     * AVX-512), so a task's B stays in L2 while its rows pass. Packing B costs about a vector load and
     * store per V elements (~4 flop-equivalents each). Pool costs: 2 Mflop a call, 0.4 Mflop a
     * task, for the caller-runs pool whose helpers spin between the calls of a pass (the 8 and 1.5
     * Mflop measured for the older ForkJoin pool kept many mid-sized GEMMs on one thread; lowering
     * them measured 3 to 8 % faster on DenseNet-201 at batch 1 and 8 on the 2-core Zen 5 VM).
     */
    private static final GemmPartition.Tiling TILING = new GemmPartition.Tiling(4, V, 128, 20 * V,
            0, 4, 2e6, 4e5);
    /** Whether to fuse; if HotSpot cannot tell, yes on AVX2 and up (every such x86 has FMA) and on arm64. */
    private static final boolean FMA = Gemm.hardwareFma(V >= 8 || "aarch64".equals(System.getProperty("os.arch")));

    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

    @Override
    public void multiply(Workers workers, int m, int n, int k, float[] a, int aOff, int lda, RightMatrix b,
                         float[] c, int cOff, int ldc, ImageColumns cColumns, boolean accumulate, float[] bias) {
        GemmPartition part = GemmPartition.of(m, n, k, TILING, workers.threads());
        part.run(workers, t -> block(a, aOff, lda, b, c, cOff, ldc, cColumns, accumulate, bias, k,
                part.rowStart(t), part.rowEnd(t), part.colStart(t), part.colEnd(t)));
    }

    @Override
    public boolean fused() {
        return FMA;
    }

    @Override
    public String description() {
        return "Vector API, " + V + " floats/vector, " + (FMA ? "FMA" : "multiply+add (no FMA)")
                + ", " + MR + "x" + NR + " register tiles";
    }

    /** Per-thread buffers, grown on demand and kept for later calls (some 400 KiB with AVX-512). */
    private static final class Scratch {
        /** Packed B of one task and k block. */
        float[] b = new float[0];
        /** One row of an on-the-fly B (im2col) for one task, before it is split into panels. */
        float[] row = new float[0];
        /** The last 1 to 3 rows of A of a task for one k block, zero-padded to 4 rows: 4 × KC. */
        final float[] aTail = new float[4 * KC];
        /** One tile of C cut by the matrix edge, zero-padded: MR × NR. */
        final float[] cTile = new float[MR * NR];
    }

    /**
     * {@code C[i0..i1, j0..j1] += A[i0..i1, :] · B[:, j0..j1]} on this thread; when not
     * {@code accumulate}, each tile of C is first set to its rows' bias (in L1, just before its first
     * k block), so that overwriting costs no pass of its own.
     */
    private static void block(float[] a, int aOff, int lda, RightMatrix b, float[] c, int cOff, int ldc,
                              ImageColumns cColumns, boolean accumulate, float[] bias, int k,
                              int i0, int i1, int j0, int j1) {
        if (i1 - i0 < 4 && b instanceof DenseMatrix d && cColumns.contiguous(j0, j1 - j0)) {
            cOff += cColumns.offset(j0) - j0;
            fewRows(a, aOff, lda, d.array(), d.offset(), d.ld(), c, cOff, ldc, accumulate, bias, k, i0, i1, j0, j1);
            return;
        }
        // Rows: tiles6 tiles of 6, then tiles4 of 4, then 0 to 3 rows through the scratch copy.
        int rows = i1 - i0;
        int tiles6 = rows / MR;
        int tiles4 = 0;
        switch (rows % MR) {
            case 2 -> {
                if (tiles6 > 0) {
                    tiles6--;
                    tiles4 = 2;
                }
            }
            case 4, 5 -> tiles4 = 1;
            default -> {
            }
        }
        int tailStart = i0 + tiles6 * MR + tiles4 * 4;
        int tailRows = i1 - tailStart;
        int colPanels = (j1 - j0 + NR - 1) / NR;
        Scratch s = SCRATCH.get();
        int packed = colPanels * NR * Math.min(k, KC);
        if (s.b.length < packed) {
            s.b = new float[packed];
        }
        float[] pb = s.b;
        if (s.row.length < j1 - j0) {
            s.row = new float[j1 - j0];
        }
        for (int k0 = 0; k0 < k; k0 += KC) {
            int kc = Math.min(KC, k - k0);
            packB(b, k0, j0, kc, j1 - j0, pb, s.row);
            boolean start = !accumulate && k0 == 0;
            if (tailRows > 0) {
                Arrays.fill(s.aTail, 0f);
                for (int r = 0; r < tailRows; r++) {
                    System.arraycopy(a, aOff + (tailStart + r) * lda + k0, s.aTail, r * kc, kc);
                }
            }
            for (int q = 0; q < colPanels; q++) {
                int j = j0 + q * NR;
                int w = Math.min(NR, j1 - j);
                int ib = q * kc * NR;
                // A panel inside one image is a plain strip of C; one across images goes through cTile.
                boolean inPlace = w % V == 0 && cColumns.contiguous(j, w);
                int cj = cOff + cColumns.offset(j);
                int i = i0;
                for (int t = 0; t < tiles6 + tiles4; t++) {
                    int h = t < tiles6 ? MR : 4;
                    int ia = aOff + i * lda + k0;
                    if (inPlace) {
                        int ic = cj + i * ldc;
                        if (start) {
                            setRows(c, ic, ldc, h, w, bias, i);
                        }
                        tile(h, w / V, kc, a, ia, lda, pb, ib, c, ic, ldc);
                    } else {
                        edgeTile(h, h, w, kc, a, ia, lda, pb, ib, c, cOff, ldc, cColumns, i, j, start, bias, s.cTile);
                    }
                    i += h;
                }
                if (tailRows > 0) {
                    edgeTile(4, tailRows, w, kc, s.aTail, 0, kc, pb, ib, c, cOff, ldc, cColumns, tailStart, j,
                            start, bias, s.cTile);
                }
            }
        }
    }

    /** Sets rows {@code row0 .. row0+h} of a tile of C (w columns at {@code ic}) to their bias, or 0. */
    private static void setRows(float[] c, int ic, int ldc, int h, int w, float[] bias, int row0) {
        for (int r = 0; r < h; r++) {
            Arrays.fill(c, ic + r * ldc, ic + r * ldc + w, bias == null ? 0f : bias[row0 + r]);
        }
    }

    /**
     * A block of fewer than 4 rows (the classifier at batch 1, say): too few rows to pay for packing
     * B, whose every element serves at most 3 products. Each row of C, 4 vectors at a time, takes
     * its chain over k reading B in place; the last n mod V columns take the same chain in scalar
     * code ({@link Math#fma} rounds as the vector lanes do).
     */
    private static void fewRows(float[] a, int aOff, int lda, float[] b, int bOff, int ldb, float[] c, int cOff,
                                int ldc, boolean accumulate, float[] bias, int k, int i0, int i1, int j0, int j1) {
        for (int i = i0; i < i1; i++) {
            int ai = aOff + i * lda;
            int ci = cOff + i * ldc;
            if (!accumulate) {
                Arrays.fill(c, ci + j0, ci + j1, bias == null ? 0f : bias[i]);
            }
            int j = j0;
            for (; j + 4 * V <= j1; j += 4 * V) {
                FloatVector c0 = FloatVector.fromArray(SPECIES, c, ci + j);
                FloatVector c1 = FloatVector.fromArray(SPECIES, c, ci + j + V);
                FloatVector c2 = FloatVector.fromArray(SPECIES, c, ci + j + 2 * V);
                FloatVector c3 = FloatVector.fromArray(SPECIES, c, ci + j + 3 * V);
                for (int p = 0; p < k; p++) {
                    FloatVector x = FloatVector.broadcast(SPECIES, a[ai + p]);
                    int row = bOff + p * ldb + j;
                    c0 = madd(x, FloatVector.fromArray(SPECIES, b, row), c0);
                    c1 = madd(x, FloatVector.fromArray(SPECIES, b, row + V), c1);
                    c2 = madd(x, FloatVector.fromArray(SPECIES, b, row + 2 * V), c2);
                    c3 = madd(x, FloatVector.fromArray(SPECIES, b, row + 3 * V), c3);
                }
                c0.intoArray(c, ci + j);
                c1.intoArray(c, ci + j + V);
                c2.intoArray(c, ci + j + 2 * V);
                c3.intoArray(c, ci + j + 3 * V);
            }
            for (; j + V <= j1; j += V) {
                FloatVector c0 = FloatVector.fromArray(SPECIES, c, ci + j);
                for (int p = 0; p < k; p++) {
                    FloatVector x = FloatVector.broadcast(SPECIES, a[ai + p]);
                    c0 = madd(x, FloatVector.fromArray(SPECIES, b, bOff + p * ldb + j), c0);
                }
                c0.intoArray(c, ci + j);
            }
            for (; j < j1; j++) {
                float sum = c[ci + j];
                for (int p = 0; p < k; p++) {
                    float x = a[ai + p];
                    float y = b[bOff + p * ldb + j];
                    sum = FMA ? Math.fma(x, y, sum) : sum + x * y;
                }
                c[ci + j] = sum;
            }
        }
    }

    /**
     * The tile of h ≤ rows rows (from row i) and w ≤ NR columns (from column j) of C, computed by
     * the rows-row kernel on a zero-padded copy of it: for the edges of C (the kernel's rows of A
     * past h must be readable; their results are dropped) and for tiles whose columns span two
     * images. With {@code start} the copy starts from the rows' bias instead of C.
     */
    private static void edgeTile(int rows, int h, int w, int kc, float[] a, int ia, int lda, float[] pb, int ib,
                                 float[] c, int cOff, int ldc, ImageColumns cColumns, int i, int j,
                                 boolean start, float[] bias, float[] tile) {
        Arrays.fill(tile, 0f);
        // Within one image (every edge tile of a single image) a row of the tile is one run of C.
        boolean plain = cColumns.contiguous(j, w);
        int ic = cOff + cColumns.offset(j) + i * ldc;
        for (int r = 0; r < h; r++) {
            if (start) {
                Arrays.fill(tile, r * NR, r * NR + w, bias == null ? 0f : bias[i + r]);
            } else if (plain) {
                System.arraycopy(c, ic + r * ldc, tile, r * NR, w);
            } else {
                cColumns.load(c, cOff, ldc, i + r, j, w, tile, r * NR);
            }
        }
        tile(rows, (w + V - 1) / V, kc, a, ia, lda, pb, ib, tile, 0, NR);
        for (int r = 0; r < h; r++) {
            if (plain) {
                System.arraycopy(tile, r * NR, c, ic + r * ldc, w);
            } else {
                cColumns.store(tile, r * NR, c, cOff, ldc, i + r, j, w);
            }
        }
    }

    /**
     * Packs B[k0..k0+kc, j0..j0+w] into micro-panels of NR columns: panel q holds its kc rows of NR
     * floats one after another; columns past w are zero.
     */
    private static void packB(RightMatrix b, int k0, int j0, int kc, int w, float[] pb, float[] row) {
        if (b instanceof DenseMatrix d) {
            for (int p = 0; p < kc; p++) {
                packRow(d.array(), d.offset() + (k0 + p) * d.ld() + j0, w, pb, p * NR, kc);
            }
        } else {
            // One copy of the whole run per row (long runs, few calls), then split into panels in L1.
            for (int p = 0; p < kc; p++) {
                b.copyRow(k0 + p, j0, w, row, 0);
                packRow(row, 0, w, pb, p * NR, kc);
            }
        }
    }

    /** Spreads one row's w floats (at {@code from}) over the panels, starting at {@code dst}. */
    private static void packRow(float[] src, int from, int w, float[] pb, int dst, int kc) {
        int full = w / NR;
        int rest = w - full * NR;
        for (int q = 0; q < full; q++, dst += kc * NR, from += NR) {
            for (int v = 0; v < NR; v += V) {
                FloatVector.fromArray(SPECIES, src, from + v).intoArray(pb, dst + v);
            }
        }
        if (rest > 0) {
            System.arraycopy(src, from, pb, dst, rest);
            Arrays.fill(pb, dst + rest, dst + NR, 0f);
        }
    }

    private static FloatVector madd(FloatVector x, FloatVector y, FloatVector acc) {
        return FMA ? x.fma(y, acc) : x.mul(y).add(acc);
    }

    /**
     * C[rows × vectors·V] (at {@code ic}, row stride {@code ldc}) += A[rows × kc] (at {@code ia},
     * row stride {@code lda}) · the first vectors·V columns of a packed micro-panel of B (at
     * {@code ib}, NR floats per step of k).
     */
    private static void tile(int rows, int vectors, int kc, float[] a, int ia, int lda, float[] pb, int ib,
                             float[] c, int ic, int ldc) {
        switch (rows * 4 + vectors) {
            case 6 * 4 + 3 -> kernel6x3(kc, a, ia, lda, pb, ib, c, ic, ldc);
            case 6 * 4 + 2 -> kernel6x2(kc, a, ia, lda, pb, ib, c, ic, ldc);
            case 6 * 4 + 1 -> kernel6x1(kc, a, ia, lda, pb, ib, c, ic, ldc);
            case 4 * 4 + 3 -> kernel4x3(kc, a, ia, lda, pb, ib, c, ic, ldc);
            case 4 * 4 + 2 -> kernel4x2(kc, a, ia, lda, pb, ib, c, ic, ldc);
            case 4 * 4 + 1 -> kernel4x1(kc, a, ia, lda, pb, ib, c, ic, ldc);
            default -> throw new AssertionError(rows + "x" + vectors);
        }
    }

    // The kernels below differ only in their unrolling (rows × vectors). Each keeps its accumulators
    // in local variables: C2 keeps FloatVector locals in registers, not arrays of them.

    private static void kernel6x3(int kc, float[] a, int ia, int lda, float[] pb, int ib, float[] c, int ic, int ldc) {
        int a1 = ia + lda;
        int a2 = a1 + lda;
        int a3 = a2 + lda;
        int a4 = a3 + lda;
        int a5 = a4 + lda;
        int c1 = ic + ldc;
        int c2 = c1 + ldc;
        int c3 = c2 + ldc;
        int c4 = c3 + ldc;
        int c5 = c4 + ldc;
        FloatVector c00 = FloatVector.fromArray(SPECIES, c, ic);
        FloatVector c01 = FloatVector.fromArray(SPECIES, c, ic + V);
        FloatVector c02 = FloatVector.fromArray(SPECIES, c, ic + 2 * V);
        FloatVector c10 = FloatVector.fromArray(SPECIES, c, c1);
        FloatVector c11 = FloatVector.fromArray(SPECIES, c, c1 + V);
        FloatVector c12 = FloatVector.fromArray(SPECIES, c, c1 + 2 * V);
        FloatVector c20 = FloatVector.fromArray(SPECIES, c, c2);
        FloatVector c21 = FloatVector.fromArray(SPECIES, c, c2 + V);
        FloatVector c22 = FloatVector.fromArray(SPECIES, c, c2 + 2 * V);
        FloatVector c30 = FloatVector.fromArray(SPECIES, c, c3);
        FloatVector c31 = FloatVector.fromArray(SPECIES, c, c3 + V);
        FloatVector c32 = FloatVector.fromArray(SPECIES, c, c3 + 2 * V);
        FloatVector c40 = FloatVector.fromArray(SPECIES, c, c4);
        FloatVector c41 = FloatVector.fromArray(SPECIES, c, c4 + V);
        FloatVector c42 = FloatVector.fromArray(SPECIES, c, c4 + 2 * V);
        FloatVector c50 = FloatVector.fromArray(SPECIES, c, c5);
        FloatVector c51 = FloatVector.fromArray(SPECIES, c, c5 + V);
        FloatVector c52 = FloatVector.fromArray(SPECIES, c, c5 + 2 * V);
        for (int p = 0; p < kc; p++) {
            int jb = ib + p * NR;
            FloatVector b0 = FloatVector.fromArray(SPECIES, pb, jb);
            FloatVector b1 = FloatVector.fromArray(SPECIES, pb, jb + V);
            FloatVector b2 = FloatVector.fromArray(SPECIES, pb, jb + 2 * V);
            FloatVector x = FloatVector.broadcast(SPECIES, a[ia + p]);
            c00 = madd(x, b0, c00);
            c01 = madd(x, b1, c01);
            c02 = madd(x, b2, c02);
            x = FloatVector.broadcast(SPECIES, a[a1 + p]);
            c10 = madd(x, b0, c10);
            c11 = madd(x, b1, c11);
            c12 = madd(x, b2, c12);
            x = FloatVector.broadcast(SPECIES, a[a2 + p]);
            c20 = madd(x, b0, c20);
            c21 = madd(x, b1, c21);
            c22 = madd(x, b2, c22);
            x = FloatVector.broadcast(SPECIES, a[a3 + p]);
            c30 = madd(x, b0, c30);
            c31 = madd(x, b1, c31);
            c32 = madd(x, b2, c32);
            x = FloatVector.broadcast(SPECIES, a[a4 + p]);
            c40 = madd(x, b0, c40);
            c41 = madd(x, b1, c41);
            c42 = madd(x, b2, c42);
            x = FloatVector.broadcast(SPECIES, a[a5 + p]);
            c50 = madd(x, b0, c50);
            c51 = madd(x, b1, c51);
            c52 = madd(x, b2, c52);
        }
        c00.intoArray(c, ic);
        c01.intoArray(c, ic + V);
        c02.intoArray(c, ic + 2 * V);
        c10.intoArray(c, c1);
        c11.intoArray(c, c1 + V);
        c12.intoArray(c, c1 + 2 * V);
        c20.intoArray(c, c2);
        c21.intoArray(c, c2 + V);
        c22.intoArray(c, c2 + 2 * V);
        c30.intoArray(c, c3);
        c31.intoArray(c, c3 + V);
        c32.intoArray(c, c3 + 2 * V);
        c40.intoArray(c, c4);
        c41.intoArray(c, c4 + V);
        c42.intoArray(c, c4 + 2 * V);
        c50.intoArray(c, c5);
        c51.intoArray(c, c5 + V);
        c52.intoArray(c, c5 + 2 * V);
    }

    private static void kernel6x2(int kc, float[] a, int ia, int lda, float[] pb, int ib, float[] c, int ic, int ldc) {
        int a1 = ia + lda;
        int a2 = a1 + lda;
        int a3 = a2 + lda;
        int a4 = a3 + lda;
        int a5 = a4 + lda;
        int c1 = ic + ldc;
        int c2 = c1 + ldc;
        int c3 = c2 + ldc;
        int c4 = c3 + ldc;
        int c5 = c4 + ldc;
        FloatVector c00 = FloatVector.fromArray(SPECIES, c, ic);
        FloatVector c01 = FloatVector.fromArray(SPECIES, c, ic + V);
        FloatVector c10 = FloatVector.fromArray(SPECIES, c, c1);
        FloatVector c11 = FloatVector.fromArray(SPECIES, c, c1 + V);
        FloatVector c20 = FloatVector.fromArray(SPECIES, c, c2);
        FloatVector c21 = FloatVector.fromArray(SPECIES, c, c2 + V);
        FloatVector c30 = FloatVector.fromArray(SPECIES, c, c3);
        FloatVector c31 = FloatVector.fromArray(SPECIES, c, c3 + V);
        FloatVector c40 = FloatVector.fromArray(SPECIES, c, c4);
        FloatVector c41 = FloatVector.fromArray(SPECIES, c, c4 + V);
        FloatVector c50 = FloatVector.fromArray(SPECIES, c, c5);
        FloatVector c51 = FloatVector.fromArray(SPECIES, c, c5 + V);
        for (int p = 0; p < kc; p++) {
            int jb = ib + p * NR;
            FloatVector b0 = FloatVector.fromArray(SPECIES, pb, jb);
            FloatVector b1 = FloatVector.fromArray(SPECIES, pb, jb + V);
            FloatVector x = FloatVector.broadcast(SPECIES, a[ia + p]);
            c00 = madd(x, b0, c00);
            c01 = madd(x, b1, c01);
            x = FloatVector.broadcast(SPECIES, a[a1 + p]);
            c10 = madd(x, b0, c10);
            c11 = madd(x, b1, c11);
            x = FloatVector.broadcast(SPECIES, a[a2 + p]);
            c20 = madd(x, b0, c20);
            c21 = madd(x, b1, c21);
            x = FloatVector.broadcast(SPECIES, a[a3 + p]);
            c30 = madd(x, b0, c30);
            c31 = madd(x, b1, c31);
            x = FloatVector.broadcast(SPECIES, a[a4 + p]);
            c40 = madd(x, b0, c40);
            c41 = madd(x, b1, c41);
            x = FloatVector.broadcast(SPECIES, a[a5 + p]);
            c50 = madd(x, b0, c50);
            c51 = madd(x, b1, c51);
        }
        c00.intoArray(c, ic);
        c01.intoArray(c, ic + V);
        c10.intoArray(c, c1);
        c11.intoArray(c, c1 + V);
        c20.intoArray(c, c2);
        c21.intoArray(c, c2 + V);
        c30.intoArray(c, c3);
        c31.intoArray(c, c3 + V);
        c40.intoArray(c, c4);
        c41.intoArray(c, c4 + V);
        c50.intoArray(c, c5);
        c51.intoArray(c, c5 + V);
    }

    private static void kernel6x1(int kc, float[] a, int ia, int lda, float[] pb, int ib, float[] c, int ic, int ldc) {
        int a1 = ia + lda;
        int a2 = a1 + lda;
        int a3 = a2 + lda;
        int a4 = a3 + lda;
        int a5 = a4 + lda;
        int c1 = ic + ldc;
        int c2 = c1 + ldc;
        int c3 = c2 + ldc;
        int c4 = c3 + ldc;
        int c5 = c4 + ldc;
        FloatVector c00 = FloatVector.fromArray(SPECIES, c, ic);
        FloatVector c10 = FloatVector.fromArray(SPECIES, c, c1);
        FloatVector c20 = FloatVector.fromArray(SPECIES, c, c2);
        FloatVector c30 = FloatVector.fromArray(SPECIES, c, c3);
        FloatVector c40 = FloatVector.fromArray(SPECIES, c, c4);
        FloatVector c50 = FloatVector.fromArray(SPECIES, c, c5);
        for (int p = 0; p < kc; p++) {
            int jb = ib + p * NR;
            FloatVector b0 = FloatVector.fromArray(SPECIES, pb, jb);
            FloatVector x = FloatVector.broadcast(SPECIES, a[ia + p]);
            c00 = madd(x, b0, c00);
            x = FloatVector.broadcast(SPECIES, a[a1 + p]);
            c10 = madd(x, b0, c10);
            x = FloatVector.broadcast(SPECIES, a[a2 + p]);
            c20 = madd(x, b0, c20);
            x = FloatVector.broadcast(SPECIES, a[a3 + p]);
            c30 = madd(x, b0, c30);
            x = FloatVector.broadcast(SPECIES, a[a4 + p]);
            c40 = madd(x, b0, c40);
            x = FloatVector.broadcast(SPECIES, a[a5 + p]);
            c50 = madd(x, b0, c50);
        }
        c00.intoArray(c, ic);
        c10.intoArray(c, c1);
        c20.intoArray(c, c2);
        c30.intoArray(c, c3);
        c40.intoArray(c, c4);
        c50.intoArray(c, c5);
    }

    private static void kernel4x3(int kc, float[] a, int ia, int lda, float[] pb, int ib, float[] c, int ic, int ldc) {
        int a1 = ia + lda;
        int a2 = a1 + lda;
        int a3 = a2 + lda;
        int c1 = ic + ldc;
        int c2 = c1 + ldc;
        int c3 = c2 + ldc;
        FloatVector c00 = FloatVector.fromArray(SPECIES, c, ic);
        FloatVector c01 = FloatVector.fromArray(SPECIES, c, ic + V);
        FloatVector c02 = FloatVector.fromArray(SPECIES, c, ic + 2 * V);
        FloatVector c10 = FloatVector.fromArray(SPECIES, c, c1);
        FloatVector c11 = FloatVector.fromArray(SPECIES, c, c1 + V);
        FloatVector c12 = FloatVector.fromArray(SPECIES, c, c1 + 2 * V);
        FloatVector c20 = FloatVector.fromArray(SPECIES, c, c2);
        FloatVector c21 = FloatVector.fromArray(SPECIES, c, c2 + V);
        FloatVector c22 = FloatVector.fromArray(SPECIES, c, c2 + 2 * V);
        FloatVector c30 = FloatVector.fromArray(SPECIES, c, c3);
        FloatVector c31 = FloatVector.fromArray(SPECIES, c, c3 + V);
        FloatVector c32 = FloatVector.fromArray(SPECIES, c, c3 + 2 * V);
        for (int p = 0; p < kc; p++) {
            int jb = ib + p * NR;
            FloatVector b0 = FloatVector.fromArray(SPECIES, pb, jb);
            FloatVector b1 = FloatVector.fromArray(SPECIES, pb, jb + V);
            FloatVector b2 = FloatVector.fromArray(SPECIES, pb, jb + 2 * V);
            FloatVector x = FloatVector.broadcast(SPECIES, a[ia + p]);
            c00 = madd(x, b0, c00);
            c01 = madd(x, b1, c01);
            c02 = madd(x, b2, c02);
            x = FloatVector.broadcast(SPECIES, a[a1 + p]);
            c10 = madd(x, b0, c10);
            c11 = madd(x, b1, c11);
            c12 = madd(x, b2, c12);
            x = FloatVector.broadcast(SPECIES, a[a2 + p]);
            c20 = madd(x, b0, c20);
            c21 = madd(x, b1, c21);
            c22 = madd(x, b2, c22);
            x = FloatVector.broadcast(SPECIES, a[a3 + p]);
            c30 = madd(x, b0, c30);
            c31 = madd(x, b1, c31);
            c32 = madd(x, b2, c32);
        }
        c00.intoArray(c, ic);
        c01.intoArray(c, ic + V);
        c02.intoArray(c, ic + 2 * V);
        c10.intoArray(c, c1);
        c11.intoArray(c, c1 + V);
        c12.intoArray(c, c1 + 2 * V);
        c20.intoArray(c, c2);
        c21.intoArray(c, c2 + V);
        c22.intoArray(c, c2 + 2 * V);
        c30.intoArray(c, c3);
        c31.intoArray(c, c3 + V);
        c32.intoArray(c, c3 + 2 * V);
    }

    private static void kernel4x2(int kc, float[] a, int ia, int lda, float[] pb, int ib, float[] c, int ic, int ldc) {
        int a1 = ia + lda;
        int a2 = a1 + lda;
        int a3 = a2 + lda;
        int c1 = ic + ldc;
        int c2 = c1 + ldc;
        int c3 = c2 + ldc;
        FloatVector c00 = FloatVector.fromArray(SPECIES, c, ic);
        FloatVector c01 = FloatVector.fromArray(SPECIES, c, ic + V);
        FloatVector c10 = FloatVector.fromArray(SPECIES, c, c1);
        FloatVector c11 = FloatVector.fromArray(SPECIES, c, c1 + V);
        FloatVector c20 = FloatVector.fromArray(SPECIES, c, c2);
        FloatVector c21 = FloatVector.fromArray(SPECIES, c, c2 + V);
        FloatVector c30 = FloatVector.fromArray(SPECIES, c, c3);
        FloatVector c31 = FloatVector.fromArray(SPECIES, c, c3 + V);
        for (int p = 0; p < kc; p++) {
            int jb = ib + p * NR;
            FloatVector b0 = FloatVector.fromArray(SPECIES, pb, jb);
            FloatVector b1 = FloatVector.fromArray(SPECIES, pb, jb + V);
            FloatVector x = FloatVector.broadcast(SPECIES, a[ia + p]);
            c00 = madd(x, b0, c00);
            c01 = madd(x, b1, c01);
            x = FloatVector.broadcast(SPECIES, a[a1 + p]);
            c10 = madd(x, b0, c10);
            c11 = madd(x, b1, c11);
            x = FloatVector.broadcast(SPECIES, a[a2 + p]);
            c20 = madd(x, b0, c20);
            c21 = madd(x, b1, c21);
            x = FloatVector.broadcast(SPECIES, a[a3 + p]);
            c30 = madd(x, b0, c30);
            c31 = madd(x, b1, c31);
        }
        c00.intoArray(c, ic);
        c01.intoArray(c, ic + V);
        c10.intoArray(c, c1);
        c11.intoArray(c, c1 + V);
        c20.intoArray(c, c2);
        c21.intoArray(c, c2 + V);
        c30.intoArray(c, c3);
        c31.intoArray(c, c3 + V);
    }

    private static void kernel4x1(int kc, float[] a, int ia, int lda, float[] pb, int ib, float[] c, int ic, int ldc) {
        int a1 = ia + lda;
        int a2 = a1 + lda;
        int a3 = a2 + lda;
        int c1 = ic + ldc;
        int c2 = c1 + ldc;
        int c3 = c2 + ldc;
        FloatVector c00 = FloatVector.fromArray(SPECIES, c, ic);
        FloatVector c10 = FloatVector.fromArray(SPECIES, c, c1);
        FloatVector c20 = FloatVector.fromArray(SPECIES, c, c2);
        FloatVector c30 = FloatVector.fromArray(SPECIES, c, c3);
        for (int p = 0; p < kc; p++) {
            int jb = ib + p * NR;
            FloatVector b0 = FloatVector.fromArray(SPECIES, pb, jb);
            FloatVector x = FloatVector.broadcast(SPECIES, a[ia + p]);
            c00 = madd(x, b0, c00);
            x = FloatVector.broadcast(SPECIES, a[a1 + p]);
            c10 = madd(x, b0, c10);
            x = FloatVector.broadcast(SPECIES, a[a2 + p]);
            c20 = madd(x, b0, c20);
            x = FloatVector.broadcast(SPECIES, a[a3 + p]);
            c30 = madd(x, b0, c30);
        }
        c00.intoArray(c, ic);
        c10.intoArray(c, c1);
        c20.intoArray(c, c2);
        c30.intoArray(c, c3);
    }
}
