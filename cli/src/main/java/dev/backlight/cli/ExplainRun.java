package dev.backlight.cli;

import dev.backlight.api.BacklightException;
import dev.backlight.api.Weights;
import dev.backlight.api.backend.Backend;
import dev.backlight.api.backend.BackendOptions;
import dev.backlight.api.backend.CompileOptions;
import dev.backlight.api.internal.io.AtomicFiles;
import dev.backlight.densenet.DenseNet;
import dev.backlight.densenet.imagenet.ImageNetLabels;
import dev.backlight.densenet.imagenet.ImageNetPreprocessor;
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
        ExplainContext context = new ExplainContext(plan.config().name(), plan.weights(), plan.method().id(),
                plan.targetDescription(), plan.backend().chosen().name());
        int batchSize = plan.run().batchSize() > 0 ? plan.run().batchSize()
                : BatchSizing.automatic(plan.backend().chosen().name(), Runtime.getRuntime().maxMemory());
        RunReport report = new RunReport(context, plan.style(), batchSize);
        plan.failures().forEach(report::failed);
        List<Batch.Planned> todo = resumable(report);
        List<InputFailure> failures = new ArrayList<>(plan.failures());
        try {
            if (!todo.isEmpty()) {
                deleteLeftovers(todo);
                Interruption.advise("the outputs in " + plan.out() + " are complete; run the same command with"
                        + " --resume to do the rest");
                Weights weights = loadWeights();
                failures.addAll(compute(context, weights, todo, batchSize, report));
            }
        } catch (OutOfMemoryError e) {
            throw new BacklightException("out of memory (maximum heap " + (Runtime.getRuntime().maxMemory() >> 20)
                    + " MiB): give Java more with -Xmx (java -Xmx8g -jar backlight.jar ...), or use a smaller"
                    + " --batch-size", e);
        }
        if (plan.run().report() != null) {
            report.write(plan.run().report(), System.nanoTime() - start);
        }
        return reportFailures(failures);
    }

    /** The planned inputs still to do: with {@code --resume}, those whose outputs do not all exist. */
    private List<Batch.Planned> resumable(RunReport report) {
        if (!plan.run().resume()) {
            return plan.inputs();
        }
        List<Batch.Planned> todo = new ArrayList<>();
        for (Batch.Planned p : plan.inputs()) {
            if (p.names().all().stream().allMatch(name -> Files.isRegularFile(plan.out().resolve(name)))) {
                report.skipped(p.spec(), p.names());
            } else {
                todo.add(p);
            }
        }
        int skipped = plan.inputs().size() - todo.size();
        if (skipped > 0) {
            err.println("resuming: skipped " + skipped + " of " + plan.inputs().size()
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

    private Weights loadWeights() {
        long start = System.nanoTime();
        Weights weights = plan.weights().load(DenseNet.build(plan.config(), ImageNetPreprocessor.DEFAULT_CROP,
                ImageNetPreprocessor.DEFAULT_CROP));
        LOG.info("loaded weights {} in {}", plan.weights().description(), Timing.seconds(start));
        plan.weights().warning().ifPresent(w -> {
            err.println("WARNING: " + w);
            err.flush();
        });
        return weights;
    }

    private List<InputFailure> compute(ExplainContext context, Weights weights, List<Batch.Planned> todo, int batchSize,
                                       RunReport report) {
        ImageNetLabels labels = ImageNetLabels.load();
        InputLoader loader = new InputLoader(ImageNetPreprocessor.standard(), plan.background(), plan.fullSize(),
                plan.maxPixels());
        OutputWriter writer = new OutputWriter(plan.out(), context, labels, plan.style(), plan.renders());
        ContactSheet grid = plan.grid()
                ? new ContactSheet(plan.out(), plan.weights().warning().isPresent() ? WeightsSource.RANDOM_BANNER : null)
                : null;
        List<InputFailure> failures;
        try (Backend engine = plan.backend().create(BackendOptions.builder().threads(plan.threads()).build());
             ModelCache models = new ModelCache(engine, plan.config(), weights,
                     new CompileOptions(plan.method().observedNodes()));
             Progress progress = Progress.start(plan.run().progress(), "explain", todo.size(), "files", 1, err)) {
            Explainer explainer = new Explainer(plan.method(), plan.target(), models, loader, writer,
                    new SummaryPrinter(out, context, labels), labels, report, grid);
            failures = explainer.run(Batch.plan(todo, batchSize), progress);
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
