package dev.backlight.cli.explain;

import dev.backlight.Explainer;
import dev.backlight.Explanation;
import dev.backlight.PreparedImage;
import dev.backlight.api.method.Attribution;
import dev.backlight.api.method.Target;
import dev.backlight.cli.Timing;
import dev.backlight.cli.progress.Progress;
import dev.backlight.densenet.imagenet.ClassLabels;
import dev.backlight.densenet.imagenet.Prediction;
import dev.backlight.render.ContactSheet;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the batches of an {@code explain} through the library's {@link Explainer}: for each group of
 * planned inputs, reads them (an input that cannot be read is recorded as a failure and the others
 * go on), explains them (images with {@link Explainer#explainBatch}, the path an application's
 * {@code explain(Path)} takes; an array with {@link Explainer#attribute}), then writes each input's
 * files, prints its summary, adds it to the run report and the grid, and advances the progress display.
 */
final class BatchRunner {
    private static final Logger LOG = LoggerFactory.getLogger(BatchRunner.class);
    private static final int TOP = 5;

    private final Explainer explainer;
    private final Target target;
    private final InputLoader loader;
    private final OutputWriter writer;
    private final SummaryPrinter printer;
    private final ClassLabels labels;
    private final RunReport report;
    private final ContactSheet grid;
    private final List<InputFailure> failures = new ArrayList<>();

    /**
     * @param grid the contact sheet to add every image to, or null
     */
    BatchRunner(Explainer explainer, Target target, InputLoader loader, OutputWriter writer, SummaryPrinter printer,
                ClassLabels labels, RunReport report, ContactSheet grid) {
        this.explainer = explainer;
        this.target = target;
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
            List<Explanation> explained = null;
            Attribution attribution = null;
            if (batch.inputs().get(0).kind() == InputFile.Kind.IMAGE) {
                explained = explainer.explainBatch(batch.inputs().stream().map(InputFile::image).toList(), target);
            } else {
                attribution = explainer.attribute(batch.pixels(), target);
            }
            long computeNanos = System.nanoTime() - start;
            LOG.info("batch {}/{}: {} for {} image(s) on {} in {}", g + 1, groups.size(), explainer.method().id(),
                    batch.count(), explainer.backendName(), Timing.seconds(start));
            for (int i = 0; i < batch.inputs().size(); i++) {
                InputFile input = batch.inputs().get(i);
                Explanation explanation = explained == null ? null : explained.get(i);
                Attribution part = explanation != null ? explanation.attribution() : attribution;
                InputResult result = new InputResult(input, batch.names().get(i), part, explanation, top(part),
                        computeNanos * input.count() / batch.count());
                long writeStart = System.nanoTime();
                List<BufferedImage> pictures = writer.write(result);
                report.done(result, System.nanoTime() - writeStart);
                printer.print(result);
                if (grid != null && explanation != null) {
                    grid.add(input.image().crop(), pictures, caption(result));
                }
                progress.advance(1);
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
}
