package dev.backlight.cli.bench;

import dev.backlight.cli.VersionProvider;
import dev.backlight.render.PngFiles;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Shape;
import java.awt.geom.Ellipse2D;
import java.awt.geom.Rectangle2D;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.plot.CombinedDomainXYPlot;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.chart.title.TextTitle;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/**
 * {@code backlight bench --plot}: two charts stacked in one PNG, sharing the batch-size axis:
 * throughput (images/s at the median) above, peak memory (MiB) below, one line per pass (and per
 * kind of memory: the Java heap solid, the device dashed where measured). Drawn by JFreeChart into
 * an image, without a display.
 */
final class BenchPlot {
    static final int WIDTH = 900;
    static final int HEIGHT = 760;
    private static final double MIB = 1 << 20;
    private static final Color[] COLOURS = {new Color(0x1f77b4), new Color(0xd62728)};
    private static final Shape[] SHAPES = {new Rectangle2D.Double(-3.5, -3.5, 7, 7), new Ellipse2D.Double(-4, -4, 8, 8)};

    private BenchPlot() {
    }

    /**
     * Draws the charts and writes them to {@code target} atomically.
     *
     * @throws dev.backlight.api.BacklightException if the file cannot be written
     */
    static void write(Path target, BenchReport.Setup setup, List<BenchResult> results) {
        Map<String, String> text = new LinkedHashMap<>();
        text.put("Software", "backlight " + VersionProvider.version());
        text.put("Title", "backlight bench: " + setup.title());
        PngFiles.write(target, render(setup, results), text);
    }

    /** The charts as an image of {@link #WIDTH} x {@link #HEIGHT}. */
    static BufferedImage render(BenchReport.Setup setup, List<BenchResult> results) {
        List<Line> throughput = new ArrayList<>();
        List<Line> memory = new ArrayList<>();
        for (BenchResult r : results) {
            BenchResult.Pass pass = r.pass();
            line(throughput, pass.id(), pass, false, true).add(r.batch(), r.imagesPerSecond());
            line(memory, "heap, " + pass.id(), pass, false, false).add(r.batch(), r.peakHeapBytes() / MIB);
            if (r.peakDeviceBytes().isPresent()) {
                line(memory, "device, " + pass.id(), pass, true, true).add(r.batch(), r.peakDeviceBytes().getAsLong() / MIB);
            }
        }
        boolean device = memory.stream().anyMatch(Line::dashed);
        NumberAxis batch = new NumberAxis("batch size (images)");
        batch.setStandardTickUnits(NumberAxis.createIntegerTickUnits());
        batch.setAutoRangeIncludesZero(false);
        CombinedDomainXYPlot plot = new CombinedDomainXYPlot(batch);
        plot.setGap(16);
        plot.add(subplot(throughput, "images/s (median)"), 1);
        plot.add(subplot(memory, device ? "peak memory (MiB): heap solid, device dashed" : "peak Java heap (MiB)"), 1);
        JFreeChart chart = new JFreeChart("backlight bench: " + setup.title(), new Font(Font.SANS_SERIF, Font.BOLD, 15), plot, true);
        chart.addSubtitle(new TextTitle(String.format("weights %s; %d warm-up + %d timed iterations per point;"
                + " heap: the Java heap's peak (sum of its pools' peaks)", setup.weights(), setup.warmup(), setup.iterations()),
                new Font(Font.SANS_SERIF, Font.PLAIN, 11)));
        chart.setBackgroundPaint(Color.WHITE);
        return chart.createBufferedImage(WIDTH, HEIGHT);
    }

    /** One line of a chart: its points, the pass that gives its colour and shape, and its style. */
    private record Line(XYSeries series, BenchResult.Pass pass, boolean dashed, boolean inLegend) {
    }

    private static XYSeries line(List<Line> lines, String name, BenchResult.Pass pass, boolean dashed, boolean inLegend) {
        for (Line l : lines) {
            if (l.series().getKey().equals(name)) {
                return l.series();
            }
        }
        Line l = new Line(new XYSeries(name), pass, dashed, inLegend);
        lines.add(l);
        return l.series();
    }

    private static XYPlot subplot(List<Line> lines, String label) {
        XYSeriesCollection data = new XYSeriesCollection();
        NumberAxis axis = new NumberAxis(label);
        axis.setAutoRangeIncludesZero(true);
        XYLineAndShapeRenderer renderer = new XYLineAndShapeRenderer(true, true);
        for (int i = 0; i < lines.size(); i++) {
            Line l = lines.get(i);
            data.addSeries(l.series());
            // The same pass has the same colour and marker in both charts, so one legend serves both.
            renderer.setSeriesPaint(i, COLOURS[l.pass().ordinal() % COLOURS.length]);
            renderer.setSeriesShape(i, SHAPES[l.pass().ordinal() % SHAPES.length]);
            renderer.setSeriesStroke(i, l.dashed()
                    ? new BasicStroke(2f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f, new float[] {6f, 4f}, 0f)
                    : new BasicStroke(2f));
            renderer.setSeriesVisibleInLegend(i, l.inLegend());
        }
        XYPlot plot = new XYPlot(data, null, axis, renderer);
        plot.setBackgroundPaint(Color.WHITE);
        plot.setDomainGridlinePaint(Color.LIGHT_GRAY);
        plot.setRangeGridlinePaint(Color.LIGHT_GRAY);
        return plot;
    }
}
