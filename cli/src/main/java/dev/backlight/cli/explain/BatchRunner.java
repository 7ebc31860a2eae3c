package dev.backlight.cli.explain;

import dev.backlight.Explainer;
import dev.backlight.Explanation;
import dev.backlight.PreparedImage;
import dev.backlight.api.BacklightException;
import dev.backlight.api.Tensor;
import dev.backlight.api.method.Attribution;
import dev.backlight.api.method.Target;
import dev.backlight.cli.DiskFull;
import dev.backlight.cli.Timing;
import dev.backlight.cli.progress.Progress;
import dev.backlight.densenet.imagenet.ClassLabels;
import dev.backlight.densenet.imagenet.Prediction;
import java.awt.image.BufferedImage;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystemException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the batches of an {@code explain} through the library's {@link Explainer}: for each group of
 * planned inputs, reads them, explains them (images with {@link Explainer#explainBatch}, the path an
 * application's {@code explain(Path)} takes; an array with {@link Explainer#attribute}, {@code
 * --batch-size} images at a time), then writes each input's files, prints its summary, adds it to
 * the run report and the grid, and advances the progress display. Each result is dropped once it is
 * written: what a run holds does not grow with the number of inputs.
 *
 * <p>A failure tied to one input fails that input alone — it is named at the end, gets no outputs,
 * and the others go on: a file that cannot be read, decoded, or held in the heap ({@link
 * InputLoader}); outputs that cannot be written (a name too long for the file system, say; those
 * written for it are deleted); an input that runs out of memory on its own. Running out of memory
 * with a batch of several images is not one input's fault: the batch is run again in halves, with
 * one warning. What no input can get past stops the run: a full disk, and running out of memory
 * compiling the model or explaining a single image before any has succeeded.
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
    private final GridWriter grid;
    private final PrintWriter err;
    private final Path out;
    private final List<InputFailure> failures = new ArrayList<>();
    /** The input sizes ({@code HxW}) that have run through the model at least once. */
    private final Set<String> sizesRun = new HashSet<>();
    /** The most images run together: {@code --batch-size}, halved each time memory runs out. */
    private int batchLimit;
    private boolean warnedSmallerBatches;
    private int completed;

    /**
     * @param grid the contact sheet to add every image to, or null
     * @param err where warnings go
     * @param out the output folder, for messages
     */
    BatchRunner(Explainer explainer, Target target, InputLoader loader, OutputWriter writer, SummaryPrinter printer,
                ClassLabels labels, RunReport report, GridWriter grid, PrintWriter err, Path out) {
        this.explainer = explainer;
        this.target = target;
        this.loader = loader;
        this.writer = writer;
        this.printer = printer;
        this.labels = labels;
        this.report = report;
        this.grid = grid;
        this.err = err;
        this.out = out;
        this.batchLimit = explainer.batchSize();
    }

    /**
     * Explains every group, in order.
     *
     * @return the inputs that failed, in the order met
     * @throws BacklightException if the disk is full, or the model cannot be compiled and run for one image in this heap
     */
    List<InputFailure> run(List<List<Batch.Planned>> groups, Progress progress) {
        for (int g = 0; g < groups.size(); g++) {
            List<Batch.Planned> group = groups.get(g);
            long start = System.nanoTime();
            if (group.get(0).spec().kind() == InputFile.Kind.ARRAY) {
                array(group.get(0), progress);
            } else {
                images(group, progress);
            }
            LOG.info("group {}/{}: {} input(s) on {} in {}", g + 1, groups.size(), group.size(), explainer.backendName(),
                    Timing.seconds(start));
        }
        return List.copyOf(failures);
    }

    /** How many inputs were explained and written. */
    int completed() {
        return completed;
    }

    // ---- images ----

    private void images(List<Batch.Planned> group, Progress progress) {
        List<InputFile> inputs = new ArrayList<>(group.size());
        List<Batch.Planned> planned = new ArrayList<>(group.size());
        for (Batch.Planned p : group) {
            InputFile input = load(p, progress);
            if (input != null) {
                inputs.add(input);
                planned.add(p);
            }
        }
        if (!inputs.isEmpty()) {
            explainImages(inputs, planned, progress);
        }
    }

    /** Explains images of one size as one batch; out of memory, in halves, down to one image. */
    private void explainImages(List<InputFile> inputs, List<Batch.Planned> planned, Progress progress) {
        if (inputs.size() > batchLimit) {
            for (int from = 0; from < inputs.size(); from += batchLimit) {
                int to = Math.min(inputs.size(), from + batchLimit);
                explainImages(inputs.subList(from, to), planned.subList(from, to), progress);
            }
            return;
        }
        long start = System.nanoTime();
        List<Explanation> explained;
        String size = size(inputs.get(0).pixels());
        try {
            explained = explainer.explainBatch(inputs.stream().map(InputFile::image).toList(), target);
        } catch (RuntimeException | OutOfMemoryError e) {
            if (!OutOfMemory.is(e)) {
                throw e;
            }
            if (inputs.size() > 1) {
                smallerBatches(inputs.size(), e);
                explainImages(inputs, planned, progress);
                return;
            }
            aloneOutOfMemory(planned.get(0), size, e, progress);
            return;
        }
        sizesRun.add(size);
        long computeNanos = System.nanoTime() - start;
        for (int i = 0; i < inputs.size(); i++) {
            InputFile input = inputs.get(i);
            Explanation explanation = explained.get(i);
            InputResult result = new InputResult(input, planned.get(i).names(), explanation.attribution(), explanation,
                    top(explanation.attribution()), computeNanos / inputs.size());
            finish(result, planned.get(i), progress);
        }
    }

    // ---- arrays ----

    /** Explains an array {@code --batch-size} images at a time (smaller when memory runs out) and writes its outputs whole. */
    private void array(Batch.Planned planned, Progress progress) {
        InputFile input = load(planned, progress);
        if (input == null) {
            return;
        }
        long start = System.nanoTime();
        Tensor pixels = input.pixels();
        List<Attribution> parts = new ArrayList<>();
        try {
            attribute(pixels, parts);
        } catch (AloneOutOfMemory e) {
            aloneOutOfMemory(planned, size(pixels), e.getCause(), progress);
            return;
        }
        Attribution whole = concat(parts);
        parts.clear();
        InputResult result = new InputResult(input, planned.names(), whole, null, top(whole), System.nanoTime() - start);
        finish(result, planned, progress);
    }

    /** Adds the attributions of the images of {@code pixels} to {@code parts}, at most {@link #batchLimit} at a time. */
    private void attribute(Tensor pixels, List<Attribution> parts) {
        int n = pixels.shape().dim(0);
        for (int at = 0; at < n; ) {
            int end = Math.min(n, at + batchLimit);
            try {
                parts.add(explainer.attribute(at == 0 && end == n ? pixels : pixels.slice(at, end), target));
                sizesRun.add(size(pixels));
                at = end;
            } catch (RuntimeException | OutOfMemoryError e) {
                if (!OutOfMemory.is(e)) {
                    throw e;
                }
                if (end - at == 1) {
                    throw new AloneOutOfMemory(e);
                }
                smallerBatches(end - at, e); // and again from the same image
            }
        }
    }

    /** Out of memory running one image: thrown to the input's level. */
    private static final class AloneOutOfMemory extends RuntimeException {
        private static final long serialVersionUID = 1L;

        AloneOutOfMemory(Throwable cause) {
            super(cause.toString(), cause, false, false);
        }
    }

    /** The pieces of an array's attribution, in order, as one. */
    private static Attribution concat(List<Attribution> parts) {
        if (parts.size() == 1) {
            return parts.get(0);
        }
        Attribution first = parts.get(0);
        List<Tensor> maps = new ArrayList<>(first.perImage());
        for (int r = 0; r < first.perImage(); r++) {
            int rank = r;
            maps.add(Tensor.concat(parts.stream().map(a -> a.map(rank)).toList()));
        }
        int[][] classes = parts.stream().flatMap(a -> java.util.Arrays.stream(a.classes())).toArray(int[][]::new);
        Map<String, double[][]> diagnostics = new LinkedHashMap<>();
        for (String name : first.diagnostics().keySet()) {
            diagnostics.put(name, parts.stream().flatMap(a -> java.util.Arrays.stream(a.diagnostics().get(name)))
                    .toArray(double[][]::new));
        }
        return new Attribution(first.method(), first.backend(), Tensor.concat(parts.stream().map(Attribution::logits).toList()),
                classes, maps, diagnostics);
    }

    // ---- every input ----

    /** Reads an input; null (and the input recorded as failed) if it cannot be used. */
    private InputFile load(Batch.Planned planned, Progress progress) {
        try {
            return loader.load(planned.spec());
        } catch (RuntimeException e) {
            fail(planned, InputFailure.of(planned.spec().path(), e), progress);
            return null;
        }
    }

    /** Writes an input's files, then reports, prints and draws it; a write failure fails the input (a full disk, the run). */
    private void finish(InputResult result, Batch.Planned planned, Progress progress) {
        long writeStart = System.nanoTime();
        List<BufferedImage> pictures;
        try {
            pictures = writer.write(result);
        } catch (RuntimeException | OutOfMemoryError e) {
            if (DiskFull.is(e)) {
                throw new BacklightException(DiskFull.message(out, "free some space or choose another --out, then run"
                        + " the same command with --resume to do the rest"), e);
            }
            fail(planned, writeFailure(planned.spec().path(), e), progress);
            return;
        }
        completed++;
        report.done(result, System.nanoTime() - writeStart);
        printer.print(result);
        PreparedImage image = result.input().image();
        if (grid != null && image != null) {
            try {
                grid.done(planned, image.crop(), pictures, caption(result));
            } catch (RuntimeException e) {
                if (DiskFull.is(e)) {
                    throw new BacklightException(DiskFull.message(out, "cannot write the grid; free some space or choose"
                            + " another --out, then run the same command with --resume to do the rest"), e);
                }
                throw e;
            }
        }
        progress.advance(1);
    }

    /** Why an input's outputs could not be written, in words: a name too long for the file system is said so. */
    private static InputFailure writeFailure(Path input, Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof FileSystemException f && "File name too long".equalsIgnoreCase(String.valueOf(f.getReason()))) {
                String file = f.getOtherFile() != null ? f.getOtherFile() : f.getFile();
                String name = file == null ? "an output" : Path.of(file).getFileName().toString();
                return new InputFailure(input, input + ": the output name " + name + " ("
                        + name.getBytes(StandardCharsets.UTF_8).length + " bytes) is longer than the file system allows"
                        + " (255 bytes on most); rename the input, its outputs were not written", e);
            }
        }
        if (e instanceof RuntimeException r) {
            return InputFailure.of(input, r);
        }
        return new InputFailure(input, input + ": out of memory writing its outputs; give Java more heap with -Xmx", e);
    }

    private void fail(Batch.Planned planned, InputFailure failure, Progress progress) {
        LOG.info("skipping {}: {}", planned.spec().path(), failure.message());
        failures.add(failure);
        report.failed(failure);
        progress.advance(1);
    }

    /**
     * One input ran out of memory on its own. If nothing of its size has run yet, compiling the model
     * (or running it once) does not fit the heap and no input can: the run stops. Otherwise the input
     * fails.
     */
    private void aloneOutOfMemory(Batch.Planned planned, String size, Throwable e, Progress progress) {
        long heap = Runtime.getRuntime().maxMemory() >> 20;
        if (sizesRun.isEmpty()) {
            throw new BacklightException("out of memory compiling " + explainer.model().name() + " for " + size
                    + " inputs and explaining one image (maximum heap " + heap + " MiB): the model does not fit in this"
                    + " Java heap at any batch size; give Java more with -Xmx (java -Xmx4g -jar backlight.jar ...)", e);
        }
        fail(planned, new InputFailure(planned.spec().path(), planned.spec().path() + ": out of memory explaining it"
                + (sizesRun.contains(size) ? "" : " (compiling the model for its size, " + size + ")")
                + " on its own (maximum heap " + heap + " MiB); give Java more heap with -Xmx", e), progress);
    }

    /** Halves the batch limit after running out of memory with {@code size} images. */
    private void smallerBatches(int size, Throwable e) {
        batchLimit = Math.max(1, size / 2);
        if (!warnedSmallerBatches) {
            warnedSmallerBatches = true;
            err.println("backlight: warning: out of memory running " + size + " images as one batch (maximum heap "
                    + (Runtime.getRuntime().maxMemory() >> 20) + " MiB); running smaller batches; pass a smaller"
                    + " --batch-size, or give Java more heap with -Xmx");
            err.flush();
        }
        LOG.info("out of memory with a batch of {}: {}", size, e.toString());
    }

    private static String size(Tensor pixels) {
        return pixels.shape().dim(2) + "x" + pixels.shape().dim(3);
    }

    private String caption(InputResult result) {
        Prediction best = result.top5().get(0).get(0);
        int explained = result.attribution().targetClass(0, 0);
        return GridWriter.caption(InputFile.fileName(result.input().path()), best.label(), best.probability(), explained,
                labels.name(explained));
    }

    private List<List<Prediction>> top(Attribution a) {
        List<List<Prediction>> top = new ArrayList<>(a.batchSize());
        for (int i = 0; i < a.batchSize(); i++) {
            top.add(Prediction.top(a.logits(), i, TOP, labels));
        }
        return top;
    }
}
