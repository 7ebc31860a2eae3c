package dev.backlight.densenet.sanity;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class MapSimilarityTest {
    private static double[] noise(int n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            v[i] = r.nextDouble();
        }
        return v;
    }

    @Test
    void spearmanUsesAverageRanksAndIgnoresMonotoneMaps() {
        assertArrayEquals(new double[] {1, 2.5, 2.5, 4}, MapSimilarity.ranks(new double[] {0.1, 0.5, 0.5, 0.9}));
        double[] a = noise(500, 1);
        double[] cubed = a.clone();
        double[] reversed = a.clone();
        for (int i = 0; i < a.length; i++) {
            cubed[i] = Math.pow(a[i], 3) + 7;
            reversed[i] = -a[i];
        }
        assertEquals(1.0, MapSimilarity.spearman(a, cubed), 1e-12);
        assertEquals(-1.0, MapSimilarity.spearman(a, reversed), 1e-12);
        assertTrue(Math.abs(MapSimilarity.spearman(a, noise(500, 2))) < 0.15);
        // Hand-computed: ranks (1,2,3,4) vs (1,3,2,4): 1 - 6·Σd²/(n(n²-1)) = 1 - 6·2/60 = 0.8.
        assertEquals(0.8, MapSimilarity.spearman(new double[] {1, 2, 3, 4}, new double[] {10, 30, 20, 40}), 1e-12);
    }

    @Test
    void ssimIsOneForIdenticalImagesAndLowForUnrelatedNoise() {
        double[] a = noise(32 * 32, 3);
        assertEquals(1.0, MapSimilarity.ssim(a, a, 32, 32), 1e-12);
        assertTrue(MapSimilarity.ssim(a, noise(32 * 32, 4), 32, 32) < 0.2);
        double[] darker = a.clone();
        for (int i = 0; i < a.length; i++) {
            darker[i] = 0.5 * a[i];
        }
        double s = MapSimilarity.ssim(a, darker, 32, 32);
        assertTrue(s > 0.5 && s < 1, "a contrast change lowers SSIM but keeps structure: " + s);
    }

    @Test
    void hogSeesEdgesNotBrightness() {
        int h = 32;
        int w = 32;
        double[] vertical = new double[h * w];
        double[] horizontal = new double[h * w];
        double[] brighter = new double[h * w];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                vertical[y * w + x] = (x / 4) % 2;
                horizontal[y * w + x] = (y / 4) % 2;
                brighter[y * w + x] = 0.2 + 0.5 * vertical[y * w + x];
            }
        }
        double[] hv = MapSimilarity.hog(vertical, h, w);
        assertEquals(3 * 3 * 4 * 9, hv.length);
        assertEquals(1.0, MapSimilarity.pearson(hv, MapSimilarity.hog(brighter, h, w)), 1e-9);
        assertTrue(MapSimilarity.pearson(hv, MapSimilarity.hog(horizontal, h, w)) < 0);
    }
}
