package dev.backlight.cli;

import dev.backlight.densenet.imagenet.Prediction;
import dev.backlight.api.Tensor;
import dev.backlight.api.backend.CompiledModel;
import dev.backlight.api.method.Attribution;
import dev.backlight.api.method.AttributionMethod;
import dev.backlight.api.method.Target;
import dev.backlight.densenet.imagenet.ImageNetLabels;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the batches of an {@code explain}: for each group of planned inputs, reads them (an input
 * that cannot be read is recorded as a failure and the others go on), runs one attribution on the
 * model compiled for their size, then writes each input's files, prints its summary, adds it to
 * the run report and the grid, and advances the progress display.
 */
final class Explainer {
    private static final Logger LOG = LoggerFactory.getLogger(Explainer.class);
    private static final int TOP = 5;

    private final AttributionMethod method;
    private final Target target;
    private final ModelCache models;
    private final InputLoader loader;
    private final OutputWriter writer;
    private final SummaryPrinter printer;
    private final ImageNetLabels labels;
    private final RunReport report;
    private final ContactSheet grid;
    private final List<InputFailure> failures = new ArrayList<>();

    /**
     * @param grid the contact sheet to add every image to, or null
     */
    Explainer(AttributionMethod method, Target target, ModelCache models, InputLoader loader, OutputWriter writer,
              SummaryPrinter printer, ImageNetLabels labels, RunReport report, ContactSheet grid) {
        this.method = method;
        this.target = target;
        this.models = models;
        this.loader = loader;
        this.writer = writer;
        this.printer = printer;
        this.labels = labels;
        this.report = report;
        this.grid = grid;
    }

    /**
     * Explains every group, in order.
     *
     * @return the inputs that could not be read, in the order met
     */
    List<InputFailure> run(List<List<Batch.Planned>> groups, Progress progress) {
        for (int g = 0; g < groups.size(); g++) {
            Batch batch = load(groups.get(g), progress);
            if (batch == null) {
                continue;
            }
            long start = System.nanoTime();
            CompiledModel model = models.forInput(batch.pixels().shape());
            Attribution attribution = method.attribute(model, batch.pixels(), target);
            long computeNanos = System.nanoTime() - start;
            LOG.info("batch {}/{}: {} for {} image(s) on {} in {}", g + 1, groups.size(), method.id(), batch.count(),
                    attribution.backend(), Timing.seconds(start));
            int offset = 0;
            for (int i = 0; i < batch.inputs().size(); i++) {
                InputFile input = batch.inputs().get(i);
                Attribution part = slice(attribution, offset, offset + input.count());
                InputResult result = new InputResult(input, batch.names().get(i), part, top(part),
                        computeNanos * input.count() / batch.count());
                long writeStart = System.nanoTime();
                Map<RenderKind, BufferedImage> pictures = writer.write(result);
                report.done(result, System.nanoTime() - writeStart);
                printer.print(result);
                if (grid != null && input.kind() == InputFile.Kind.IMAGE) {
                    grid.add(input.crop(), pictures, caption(result));
                }
                progress.advance(1);
                offset += input.count();
            }
        }
        return List.copyOf(failures);
    }

    /** Reads a group's inputs; null if none could be read. */
    private Batch load(List<Batch.Planned> group, Progress progress) {
        List<InputFile> inputs = new ArrayList<>(group.size());
        List<OutputNames> names = new ArrayList<>(group.size());
        for (Batch.Planned planned : group) {
            try {
                inputs.add(loader.load(planned.spec()));
                names.add(planned.names());
            } catch (RuntimeException e) {
                InputFailure failure = InputFailure.of(planned.spec().path(), e);
                LOG.info("skipping {}: {}", planned.spec().path(), failure.message());
                failures.add(failure);
                report.failed(failure);
                progress.advance(1);
            }
        }
        return inputs.isEmpty() ? null : Batch.of(inputs, names);
    }

    private String caption(InputResult result) {
        Prediction best = result.top5().get(0).get(0);
        int explained = result.attribution().targetClass(0, 0);
        return String.format(Locale.ROOT, "%s  top-1: %s %.3f; map of %d %s", InputFile.fileName(result.input().path()),
                best.label(), best.probability(), explained, labels.name(explained));
    }

    private List<List<Prediction>> top(Attribution a) {
        List<List<Prediction>> top = new ArrayList<>(a.batchSize());
        for (int i = 0; i < a.batchSize(); i++) {
            top.add(Prediction.top(a.logits(), i, TOP, labels));
        }
        return top;
    }

    /** The images {@code [from, to)} of an attribution. */
    private static Attribution slice(Attribution a, int from, int to) {
        if (from == 0 && to == a.batchSize()) {
            return a;
        }
        List<Tensor> maps = new ArrayList<>(a.perImage());
        for (Tensor m : a.maps()) {
            maps.add(m.slice(from, to));
        }
        Map<String, double[][]> diagnostics = new LinkedHashMap<>();
        a.diagnostics().forEach((name, values) -> diagnostics.put(name, Arrays.copyOfRange(values, from, to)));
        return new Attribution(a.method(), a.backend(), a.logits().slice(from, to),
                Arrays.copyOfRange(a.classes(), from, to), maps, diagnostics);
    }
}
