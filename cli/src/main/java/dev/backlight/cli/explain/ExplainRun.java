package dev.backlight.cli.explain;

import dev.backlight.Explainer;
import dev.backlight.WeightsSource;
import dev.backlight.api.BacklightException;
import dev.backlight.api.WeightsFormatException;
import dev.backlight.api.internal.io.AtomicFiles;
import dev.backlight.cli.DiskFull;
import dev.backlight.cli.DownloadProgress;
import dev.backlight.cli.ExitCodes;
import dev.backlight.cli.FailureReporter;
import dev.backlight.cli.Interruption;
import dev.backlight.cli.OutputLock;
import dev.backlight.cli.Timing;
import dev.backlight.cli.VectorApiHint;
import dev.backlight.cli.VersionProvider;
import dev.backlight.cli.progress.Progress;
import dev.backlight.api.method.Target;
import dev.backlight.densenet.imagenet.ClassLabels;
import dev.backlight.densenet.imagenet.LabelsFormatException;
import dev.backlight.densenet.pretrained.PretrainedWeights;
import dev.backlight.densenet.pretrained.WeightsDownloadException;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Carries out a checked {@link ExplainPlan}. It locks the output folder ({@link OutputLock}: a
 * second run into the same folder is refused), with {@code --resume} checks that the folder was
 * written with the same settings ({@link RunRecord}) and skips the inputs whose outputs exist,
 * deletes the temporary files that a killed run left in the folders it writes, loads the weights (a
 * bad weights file fails the run before anything is computed), explains the others batch by batch
 * with a progress display ({@link BatchRunner}), writes the grid and the run report, and reports at
 * the end every input that could not be explained. One bad input never stops the others: its files
 * are not written, it is named on stderr, and the exit code is {@link ExitCodes#FAILURE}. A run that
 * writes nothing leaves no output folder behind if it created it.
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
        String phase = "loading the weights";
        try (OutputLock lock = OutputLock.acquire(plan.out());
             RunReport report = plan.run().report() == null ? RunReport.none() : RunReport.of(context(null), plan.style(),
                     plan.run().batchSize())) {
            RunRecord settings = null;
            List<Batch.Planned> todo = plan.inputs();
            if (plan.run().resume()) {
                settings = RunRecord.of(plan, plan.methodOptions());
                checkSettings(settings);
                todo = resumable();
            }
            plan.failures().forEach(report::failed);
            skipped.forEach(p -> report.skipped(p.spec(), p.names()));
            GridWriter grid = plan.grid() ? grid() : null;
            Interruption.advise("the outputs in " + plan.out() + " are complete; run the same command with --resume to do"
                    + " the rest");
            if (!todo.isEmpty()) {
                deleteLeftovers(todo, lock);
                try (Explainer explainer = build()) {
                    phase = "explaining the inputs";
                    report.batchSize(explainer.batchSize());
                    // Pretrained weights may have been downloaded just now: hashed again. A file is hashed once.
                    RunRecord record = settings != null && !(plan.weights() instanceof WeightsSource.Pretrained) ? settings
                            : RunRecord.of(plan, plan.methodOptions());
                    failures.addAll(compute(explainer, todo, report, grid, lock,
                            () -> record.write(plan.out(), VersionProvider.version())));
                }
            }
            if (grid != null) {
                phase = "writing the grid";
                try {
                    grid.finish();
                } catch (RuntimeException e) {
                    if (DiskFull.is(e)) {
                        throw new BacklightException(DiskFull.message(plan.out(), "cannot write the grid; free some space"
                                + " and run the same command with --resume to write it"), e);
                    }
                    throw e;
                }
                report.runFiles(grid.pages());
            }
            if (plan.run().report() != null) {
                phase = "writing the report";
                report.write(plan.run().report(), System.nanoTime() - start);
            }
        } catch (OutOfMemoryError e) {
            throw new BacklightException("out of memory " + phase + " (maximum heap " + (Runtime.getRuntime().maxMemory() >> 20)
                    + " MiB): give Java more with -Xmx (java -Xmx8g -jar backlight.jar ...)", e);
        }
        return reportFailures(failures);
    }

    /** What the run report says about the run, before an explainer exists (or with its backend's name). */
    private ExplainContext context(Explainer explainer) {
        return new ExplainContext(plan.config().name(), explainer != null ? explainer.weightsDescription()
                : WeightsSource.Pretrained.class.isInstance(plan.weights())
                        ? WeightsSource.Pretrained.describe(plan.config().name()) : plan.weights().description(),
                plan.weights().warning(), plan.method().id(), plan.targetDescription(),
                explainer != null ? explainer.backendName() : plan.backend().chosen().name(),
                explainer != null ? explainer.labels() : ClassLabels.forClassCount(plan.config().numClasses()));
    }

    /**
     * With {@code --resume}: refuses to add outputs made with other settings to the folder's, unless
     * {@code --resume-anyway}. A folder without a record (written by an earlier version, or by
     * nothing yet) is resumed with a note.
     */
    private void checkSettings(RunRecord now) {
        Optional<RunRecord> earlier = RunRecord.read(plan.out());
        if (earlier.isEmpty()) {
            if (!plan.inputs().isEmpty() && plan.inputs().stream().anyMatch(this::complete)) {
                err.println("backlight: note: " + plan.out() + " does not record the settings of the run that wrote it;"
                        + " resuming without checking them");
                err.flush();
            }
            return;
        }
        List<String> differences = now.differencesFrom(earlier.get());
        if (differences.isEmpty()) {
            return;
        }
        if (plan.run().resumeAnyway()) {
            err.println("backlight: warning: resuming although " + plan.out() + " was written with other settings ("
                    + String.join("; ", differences) + "); its outputs now mix them");
            err.flush();
            return;
        }
        throw new BacklightException("--resume: " + plan.out() + " was written with other settings ("
                + String.join("; ", differences) + "); resuming would mix outputs of both: run without --resume to redo"
                + " every input, choose another --out, or pass --resume-anyway to mix them");
    }

    /** The planned inputs still to do with {@code --resume}: those whose outputs do not all exist. */
    private List<Batch.Planned> resumable() {
        List<Batch.Planned> todo = new ArrayList<>();
        for (Batch.Planned p : plan.inputs()) {
            if (complete(p)) {
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

    private boolean complete(Batch.Planned p) {
        return p.names().all().stream().allMatch(name -> Files.isRegularFile(plan.out().resolve(name)));
    }

    /**
     * Deletes the temporary files that an earlier run, killed outright (SIGKILL, a power cut: no
     * shutdown hook ran), left in the output folder and the folders this run writes: hidden files
     * named as {@link AtomicFiles} names them, older than this run's lock. No other run writes there
     * while this one holds the lock, so none of them is being written.
     */
    private void deleteLeftovers(List<Batch.Planned> todo, OutputLock lock) {
        Set<Path> folders = new LinkedHashSet<>();
        folders.add(lock.folder());
        for (Batch.Planned p : todo) {
            for (String name : p.names().all()) {
                folders.add(OutputNames.inside(plan.out(), name).getParent());
            }
        }
        int deleted = 0;
        for (Path folder : folders) {
            if (!Files.isDirectory(folder)) {
                continue;
            }
            try (DirectoryStream<Path> entries = Files.newDirectoryStream(folder, ".backlight-*.tmp")) {
                for (Path entry : entries) {
                    if (AtomicFiles.isTemporary(entry.getFileName().toString()) && Files.isRegularFile(entry)
                            && Files.getLastModifiedTime(entry).toInstant().isBefore(lock.acquired())
                            && Files.deleteIfExists(entry)) {
                        deleted++;
                    }
                }
            } catch (IOException e) {
                LOG.info("cannot look for temporary files in {}: {}", folder, e.toString());
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
                // A one-shot command: let the CPU backend compile its kernels while the weights are read.
                .backendOptions(plan.backend().chosen().name().equals("cpu")
                        ? plan.backendOptions().toBuilder().property("cpu.warmup", "true").build() : plan.backendOptions())
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
        } catch (WeightsFormatException e) {
            if (plan.weights() instanceof WeightsSource.Pretrained) {
                // The download and the cache check passed, but the reader did not: name the file to delete.
                Path cached = PretrainedWeights.forModel(plan.config().name()).map(PretrainedWeights::cachedFile)
                        .orElse(null);
                throw new WeightsFormatException("the cached pretrained weights " + cached + " cannot be used: "
                        + e.getMessage() + "; if that file is damaged, delete " + cached + " and run again to download it"
                        + " anew", e);
            }
            throw e;
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

    private GridWriter grid() {
        return new GridWriter(plan.out(), plan.inputs(), skipped,
                plan.weights().warning().isPresent() ? WeightsSource.RANDOM_BANNER : null,
                Map.of("Software", "backlight " + VersionProvider.version()), 1 + plan.renders().size(), plan.background(),
                plan.maxPixels());
    }

    /**
     * Explains the inputs still to do. If the run created the output folder and no input got its
     * outputs (every one failed, or the run stopped at a full disk), the settings record is deleted
     * too, so that the lock leaves no folder behind.
     */
    private List<InputFailure> compute(Explainer explainer, List<Batch.Planned> todo, RunReport report, GridWriter grid,
                                       OutputLock lock, Runnable beforeFirstWrite) {
        ExplainContext context = context(explainer);
        ClassLabels labels = explainer.labels();
        InputLoader loader = new InputLoader(explainer, plan.background(), plan.maxPixels(), plan.target().perImage());
        OutputWriter writer = new OutputWriter(plan.out(), context, plan.style(), beforeFirstWrite);
        try (Progress progress = Progress.start(plan.run().progress(), "explain", todo.size(), "files", 1, err)) {
            BatchRunner runner = new BatchRunner(explainer, plan.target(), loader, writer,
                    new SummaryPrinter(out, context, labels), labels, report, grid, err, plan.out());
            try {
                return runner.run(Batch.plan(todo, explainer.batchSize()), progress);
            } finally {
                if (runner.completed() == 0 && lock.createdFolder()) {
                    try {
                        Files.deleteIfExists(plan.out().resolve(RunRecord.NAME));
                    } catch (IOException e) {
                        LOG.info("cannot delete {}: {}", plan.out().resolve(RunRecord.NAME), e.toString());
                    }
                }
            }
        }
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
