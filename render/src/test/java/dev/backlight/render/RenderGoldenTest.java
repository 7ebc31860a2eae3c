package dev.backlight.render;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.backlight.api.Tensor;
import dev.backlight.api.io.Npy;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import javax.imageio.ImageIO;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The pictures of a map against golden PNGs drawn by an independent NumPy/matplotlib
 * implementation of the same rules ({@code golden/make_render_golden.py} beside this class),
 * compared by pixel tolerance, not bytes: at most {@value #MAX_LEVELS} levels apart in any
 * channel (a value on a rounding edge moves one colour-map entry), and at most
 * {@value #MAX_OFF_PERCENT} % of the pixels more than one level apart.
 */
class RenderGoldenTest {
    private static final int MAX_LEVELS = 8;
    private static final double MAX_OFF_PERCENT = 2;

    private static final Tensor MAP = npy("map.npy");
    private static final BufferedImage BASE = png("base.png");

    @ParameterizedTest(name = "{0}")
    @CsvSource({
        "gray_maxabs_absolute_p99.5,                 gray,    max-abs, absolute, 99.5, inferno,  0",
        "gray_sum_signed_p99.5,                      gray,    sum,     signed,   99.5, coolwarm, 0",
        "heatmap_sum_positive_p99_inferno,           heatmap, sum,     positive, 99,   inferno,  0",
        "heatmap_sum_signed_p100_coolwarm,           heatmap, sum,     signed,   100,  coolwarm, 0",
        "heatmap_maxabs_negative_p95_viridis,        heatmap, max-abs, negative, 95,   viridis,  0",
        "heatmap_l2_absolute_p90_magma,              heatmap, l2,      absolute, 90,   magma,    0",
        "overlay_maxabs_absolute_p99.5_inferno_a0.6, overlay, max-abs, absolute, 99.5, inferno,  0.6",
    })
    void picturesMatchTheIndependentRendering(String golden, String kind, String reduce, String sign, double percentile,
                                              String colormap, double alpha) {
        MapStyle style = new MapStyle(ChannelReduction.valueOf(reduce.toUpperCase().replace('-', '_')),
                MapSign.valueOf(sign.toUpperCase()), percentile, Colormap.named(colormap), alpha);
        NormalisedMap map = NormalisedMap.of(MAP, style);

        BufferedImage picture = switch (kind) {
            case "gray" -> MapPictures.gray(map);
            case "heatmap" -> MapPictures.heatmap(map, style.colormap());
            default -> MapPictures.overlay(map, style.colormap(), BASE, alpha);
        };

        assertClose(png(golden + ".png"), picture, golden);
    }

    static void assertClose(BufferedImage expected, BufferedImage actual, String what) {
        assertEquals(expected.getWidth(), actual.getWidth(), what);
        assertEquals(expected.getHeight(), actual.getHeight(), what);
        int worst = 0;
        int off = 0;
        for (int y = 0; y < expected.getHeight(); y++) {
            for (int x = 0; x < expected.getWidth(); x++) {
                int e = expected.getRGB(x, y);
                int a = actual.getRGB(x, y);
                int d = 0;
                for (int shift = 0; shift <= 16; shift += 8) {
                    d = Math.max(d, Math.abs((e >> shift & 0xFF) - (a >> shift & 0xFF)));
                }
                worst = Math.max(worst, d);
                off += d > 1 ? 1 : 0;
            }
        }
        int pixels = expected.getWidth() * expected.getHeight();
        assertTrue(worst <= MAX_LEVELS, what + ": a pixel is " + worst + " levels off");
        assertTrue(off * 100.0 / pixels <= MAX_OFF_PERCENT, what + ": " + off + " of " + pixels + " pixels are more than 1 level off");
    }

    private static Tensor npy(String name) {
        try (InputStream in = RenderGoldenTest.class.getResourceAsStream("golden/" + name)) {
            return Npy.read(in, name);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static BufferedImage png(String name) {
        try (InputStream in = RenderGoldenTest.class.getResourceAsStream("golden/" + name)) {
            if (in == null) {
                throw new AssertionError("missing test resource golden/" + name);
            }
            return ImageIO.read(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
