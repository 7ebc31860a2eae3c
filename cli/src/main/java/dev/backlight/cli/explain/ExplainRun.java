package dev.backlight.cli.explain;

import dev.backlight.Explainer;
import dev.backlight.WeightsSource;
import dev.backlight.api.BacklightException;
import dev.backlight.api.internal.io.AtomicFiles;
import dev.backlight.cli.DownloadProgress;
import dev.backlight.cli.ExitCodes;
import dev.backlight.cli.FailureReporter;
import dev.backlight.cli.Interruption;
import dev.backlight.cli.Timing;
import dev.backlight.cli.VectorApiHint;
import dev.backlight.cli.VersionProvider;
import dev.backlight.cli.progress.Progress;
import dev.backlight.api.method.Target;
import dev.backlight.densenet.imagenet.ClassLabels;
import dev.backlight.densenet.imagenet.LabelsFormatException;
import dev.backlight.densenet.pretrained.WeightsDownloadException;
import dev.backlight.render.ContactSheet;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Carries out a checked {@link ExplainPlan}: loads the weights (a bad weights file fails the run
 * before anything is computed), skips inputs whose outputs exist with {@code --resume}, deletes the
 * temporary files a killed run left beside the outputs it is about to write, explains
 * the others batch by batch with a progress display, and reports at the end every input that
 * could not be explained. One bad input never stops the others: its files are not written, it
 * is named on stderr, and the exit code is {@link ExitCodes#FAILURE}.
 */
final class ExplainRun {
    private static final Logger LOG = LoggerFactory.getLogger(ExplainRun.class);

    private final ExplainPlan plan;
    private final PrintWriter out;
    private final PrintWriter err;
    private final boolean verbose;
    /** With {@code --resume}: the inputs whose outputs all exist. */
    private final List<Batch.Planned> skipped = new ArrayList<>();

    ExplainRun(ExplainPlan plan, PrintWriter out, PrintWriter err, boolean verbose) {
        this.plan = plan;
        this.out = out;
        this.err = err;
        this.verbose = verbose;
    }

    /** Runs the plan; returns the exit code. */
    int execute() {
        long start = System.nanoTime();
        LOG.info("backend selection:\n{}", plan.backend().report().stripTrailing());
        List<InputFailure> failures = new ArrayList<>(plan.failures());
        List<Batch.Planned> todo = plan.inputs();
        RunReport report = null;
        try {
            if (plan.run().resume()) {
                todo = resumable();
            }
            if (!todo.isEmpty()) {
                deleteLeftovers(todo);
                Interruption.advise("the outputs in " + plan.out() + " are complete; run the same command with"
                        + " --resume to do the rest");
                try (Explainer explainer = build()) {
                    ExplainContext context = new ExplainContext(explainer.model().name(), explainer.weightsDescription(),
                            plan.weights().warning(), plan.method().id(), plan.targetDescription(), explainer.backendName(),
                            explainer.labels());
                    report = new RunReport(context, plan.style(), explainer.batchSize());
                    note(report);
                    failures.addAll(compute(explainer, context, todo, report));
                }
            }
        } catch (OutOfMemoryError e) {
            throw new BacklightException("out of memory (maximum heap " + (Runtime.getRuntime().maxMemory() >> 20)
                    + " MiB): give Java more with -Xmx (java -Xmx8g -jar backlight.jar ...), or use a smaller"
                    + " --batch-size", e);
        }
        if (plan.run().report() != null) {
            if (report == null) {
                report = new RunReport(new ExplainContext(plan.config().name(), plan.weights().description(),
                        plan.weights().warning(), plan.method().id(), plan.targetDescription(), plan.backend().chosen().name(),
                        ClassLabels.forClassCount(plan.config().numClasses())),
                        plan.style(), plan.run().batchSize());
                note(report);
            }
            report.write(plan.run().report(), System.nanoTime() - start);
        }
        return reportFailures(failures);
    }

    /** Puts the arguments that named nothing usable and the inputs skipped by {@code --resume} in the report. */
    private void note(RunReport report) {
        plan.failures().forEach(report::failed);
        for (Batch.Planned p : skipped) {
            report.skipped(p.spec(), p.names());
        }
    }

    /** The planned inputs still to do with {@code --resume}: those whose outputs do not all exist. */
    private List<Batch.Planned> resumable() {
        List<Batch.Planned> todo = new ArrayList<>();
        for (Batch.Planned p : plan.inputs()) {
            if (p.names().all().stream().allMatch(name -> Files.isRegularFile(plan.out().resolve(name)))) {
                skipped.add(p);
            } else {
                todo.add(p);
            }
        }
        int count = plan.inputs().size() - todo.size();
        if (count > 0) {
            err.println("resuming: skipped " + count + " of " + plan.inputs().size()
                    + " inputs whose outputs exist in " + plan.out());
            err.flush();
        }
        return todo;
    }

    /**
     * Deletes the temporary files that an earlier run, killed outright (SIGKILL, a power cut: no
     * shutdown hook ran), left beside the outputs this run writes; they are hidden and never a
     * finished output. Each output folder is listed once.
     */
    private void deleteLeftovers(List<Batch.Planned> todo) {
        Map<Path, Set<String>> outputsByFolder = new LinkedHashMap<>();
        for (Batch.Planned p : todo) {
            for (String name : p.names().all()) {
                Path file = OutputNames.inside(plan.out(), name);
                outputsByFolder.computeIfAbsent(file.getParent(), f -> new HashSet<>()).add(file.getFileName().toString());
            }
        }
        int deleted = 0;
        for (Map.Entry<Path, Set<String>> folder : outputsByFolder.entrySet()) {
            if (!Files.isDirectory(folder.getKey())) {
                continue;
            }
            try (DirectoryStream<Path> entries = Files.newDirectoryStream(folder.getKey(), ".*.tmp")) {
                for (Path entry : entries) {
                    Optional<String> target = AtomicFiles.targetOf(entry.getFileName().toString());
                    if (target.isPresent() && folder.getValue().contains(target.get()) && Files.deleteIfExists(entry)) {
                        deleted++;
                    }
                }
            } catch (IOException e) {
                LOG.info("cannot look for temporary files in {}: {}", folder.getKey(), e.toString());
            }
        }
        if (deleted > 0) {
            err.println("deleted " + deleted + (deleted == 1 ? " temporary file" : " temporary files") + " in "
                    + plan.out() + " left by an earlier run that was killed");
            err.flush();
        }
    }

    /** The library's explainer for this run: loads the weights (a bad file fails here, before any input is read). */
    private Explainer build() {
        long start = System.nanoTime();
        Explainer.Builder builder = Explainer.builder()
                .model(plan.config().name())
                .weights(plan.weights())
                .method(plan.method())
                .backend(plan.backend().chosen().name())
                .backendOptions(plan.backendOptions())
                .style(plan.style())
                .batchSize(plan.run().batchSize())
                .maxPixels(plan.maxPixels())
                .background(plan.background())
                .keepSourceImages(plan.fullSize())
                .preprocessing(plan.preprocess())
                .downloadListener(new DownloadProgress(plan.run().progress(), err));
        if (plan.labels() != null) {
            builder.labels(plan.labels());
        }
        Explainer explainer;
        try {
            explainer = builder.build();
        } catch (WeightsDownloadException e) {
            throw new WeightsDownloadException(e.getMessage() + " (--weights FILE, or --weights random)", e);
        } catch (LabelsFormatException e) {
            throw new LabelsFormatException("--labels: " + e.getMessage(), e);
        }
        int classes = explainer.model().numClasses();
        int asked = plan.target() instanceof Target.Classes c ? c.perImageClasses()[0] : plan.target().perImage() - 1;
        if (asked >= classes) {
            explainer.close();
            throw new BacklightException((plan.target() instanceof Target.Classes ? "--class " + asked : "--top-k " + (asked + 1))
                    + " is out of range: the weights " + plan.weights().description() + " have " + classes + " classes (0.."
                    + (classes - 1) + ")");
        }
        LOG.info("backend selection:\n{}", explainer.backendSelection().report().stripTrailing());
        VectorApiHint.warnIfScalar(explainer.backendName(), err);
        LOG.info("loaded weights {} in {}", explainer.weightsDescription(), Timing.seconds(start));
        plan.weights().warning().ifPresent(w -> {
            err.println("WARNING: " + w);
            err.flush();
        });
        return explainer;
    }

    private List<InputFailure> compute(Explainer explainer, ExplainContext context, List<Batch.Planned> todo,
                                       RunReport report) {
        ClassLabels labels = explainer.labels();
        InputLoader loader = new InputLoader(explainer);
        OutputWriter writer = new OutputWriter(plan.out(), context, plan.style(), plan.renders());
        ContactSheet grid = plan.grid()
                ? new ContactSheet(plan.out(), plan.weights().warning().isPresent() ? WeightsSource.RANDOM_BANNER : null,
                        Map.of("Software", "backlight " + VersionProvider.version()))
                : null;
        List<InputFailure> failures;
        try (Progress progress = Progress.start(plan.run().progress(), "explain", todo.size(), "files", 1, err)) {
            BatchRunner runner = new BatchRunner(explainer, plan.target(), loader, writer,
                    new SummaryPrinter(out, context, labels), labels, report, grid);
            failures = runner.run(Batch.plan(todo, explainer.batchSize()), progress);
        }
        if (grid != null) {
            grid.finish();
            report.runFiles(grid.pages());
        }
        return failures;
    }

    /** Names every failed input on stderr, then how many failed; the exit code. */
    private int reportFailures(List<InputFailure> failures) {
        if (failures.isEmpty()) {
            return ExitCodes.OK;
        }
        for (InputFailure f : failures) {
            err.println(FailureReporter.PREFIX + f.message());
            if (verbose && f.cause() != null) {
                f.cause().printStackTrace(err);
            }
        }
        int total = plan.inputs().size() + plan.failures().size();
        err.println("backlight: " + failures.size() + " of " + total + (total == 1 ? " input" : " inputs")
                + " failed (named above) and got no outputs" + (failures.size() < total ? "; the others are complete" : ""));
        err.flush();
        return ExitCodes.FAILURE;
    }
}
