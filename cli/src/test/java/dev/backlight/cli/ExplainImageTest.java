package dev.backlight.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.backlight.WeightsSource;
import dev.backlight.render.Banners;
import dev.backlight.render.PngText;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code explain} on a photo: 224×224 PNG pictures of the map, the top-5 on stdout, random-weights warnings. */
class ExplainImageTest {
    private static final Pattern RANK = Pattern.compile("^  ([1-5])\\.  +(\\d{1,3}) (.+?) +(\\d\\.\\d{4})$");

    @Test
    void writesAPngMapAndPrintsTheTopFive(@TempDir Path out) throws IOException {
        Path lion = TestData.shared("images/lion.jpg");

        Cli.Result r = Cli.run("explain", "--weights", "random:3", "--model", "densenet121", "--out", out.toString(),
                lion.toString());

        assertEquals(ExitCodes.OK, r.exitCode(), r::toString);
        assertEquals(List.of(".backlight-run.json", "lion.explain.json", "lion.guided-backprop.gray.png", "lion.guided-backprop.heatmap.png",
                "lion.guided-backprop.overlay.png"), TestData.contents(out));

        List<String> lines = r.out().lines().toList();
        assertEquals(6, lines.size(), r::toString);
        assertTrue(lines.get(0).matches("lion\\.jpg  \\(guided-backprop, class \\d+ .+, backend cpu\\)"), lines.get(0));
        double sum = 0;
        double previous = 1;
        String topClass = null;
        for (int rank = 1; rank <= 5; rank++) {
            Matcher m = RANK.matcher(lines.get(rank));
            assertTrue(m.matches(), "not a ranked class: '" + lines.get(rank) + "'");
            assertEquals(rank, Integer.parseInt(m.group(1)));
            topClass = rank == 1 ? m.group(2) : topClass;
            double p = Double.parseDouble(m.group(4));
            assertTrue(p <= previous, "probabilities must not increase: " + lines);
            previous = p;
            sum += p;
        }
        // Each printed probability is rounded to 4 decimals.
        assertTrue(sum <= 1 + 5 * 0.00005, "top-5 probabilities sum to " + sum);
        assertTrue(lines.get(0).contains("class " + topClass + " "), "the header names the top class: " + lines);

        Path png = out.resolve("lion.guided-backprop.gray.png");
        BufferedImage map = PngText.read(png);
        assertEquals(224, map.getWidth());
        assertEquals(224, map.getHeight());
        assertEquals(WeightsSource.RANDOM_BANNER, PngText.entries(png).get("Warning"));
        assertTrue(Banners.present(map), "no banner at the bottom of the map");
        assertTrue(distinctLevels(map) > 50, "the map looks flat: " + distinctLevels(map) + " grey levels");

        assertTrue(r.err().contains("WARNING: random weights (seed 3)"), r::toString);
        assertTrue(Json.string(out.resolve("lion.explain.json"), "warning").startsWith("random weights (seed 3)"));
        assertEquals("image", Json.string(out.resolve("lion.explain.json"), "kind"));
    }

    /** The number of distinct red levels above the banner. */
    private static int distinctLevels(BufferedImage image) {
        boolean[] seen = new boolean[256];
        int count = 0;
        for (int y = 0; y < image.getHeight() - 20; y++) {
            for (int x = 0; x < image.getWidth(); x++) {
                int red = image.getRGB(x, y) >> 16 & 0xFF;
                count += seen[red] ? 0 : 1;
                seen[red] = true;
            }
        }
        return count;
    }
}
