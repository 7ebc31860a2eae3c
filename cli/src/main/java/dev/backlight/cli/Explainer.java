package dev.backlight.cli;

import dev.backlight.api.Tensor;
import dev.backlight.api.backend.CompiledModel;
import dev.backlight.api.method.Attribution;
import dev.backlight.api.method.AttributionMethod;
import dev.backlight.api.method.Target;
import dev.backlight.densenet.imagenet.ImageNetLabels;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the batches of an {@code explain}: for each, one attribution on the model compiled for its
 * input size, then each input's files written and its summary printed. With more than one batch
 * a progress line per batch goes to stderr.
 */
final class Explainer {
    private static final Logger LOG = LoggerFactory.getLogger(Explainer.class);
    private static final int TOP = 5;

    private final AttributionMethod method;
    private final Target target;
    private final ModelCache models;
    private final OutputWriter writer;
    private final SummaryPrinter printer;
    private final PrintWriter progress;
    private final ImageNetLabels labels;

    Explainer(AttributionMethod method, Target target, ModelCache models, OutputWriter writer, SummaryPrinter printer,
              PrintWriter progress, ImageNetLabels labels) {
        this.method = method;
        this.target = target;
        this.models = models;
        this.writer = writer;
        this.printer = printer;
        this.progress = progress;
        this.labels = labels;
    }

    /** Explains every batch, in order. */
    void run(List<Batch> batches) {
        for (int b = 0; b < batches.size(); b++) {
            Batch batch = batches.get(b);
            long start = System.nanoTime();
            CompiledModel model = models.forInput(batch.pixels().shape());
            Attribution attribution = method.attribute(model, batch.pixels(), target);
            LOG.info("batch {}/{}: {} for {} image(s) on {} in {}", b + 1, batches.size(), method.id(), batch.count(),
                    attribution.backend(), Timing.seconds(start));
            int offset = 0;
            for (int i = 0; i < batch.inputs().size(); i++) {
                InputFile input = batch.inputs().get(i);
                Attribution part = slice(attribution, offset, offset + input.count());
                InputResult result = new InputResult(input, batch.names().get(i), part, top(part));
                writer.write(result);
                printer.print(result);
                offset += input.count();
            }
            if (batches.size() > 1) {
                progress.println("batch " + (b + 1) + "/" + batches.size() + ": " + batch.count()
                        + (batch.count() == 1 ? " image, " : " images, ") + Timing.seconds(start));
                progress.flush();
            }
        }
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
