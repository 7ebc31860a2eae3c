package dev.backlight.cli.explain;

import dev.backlight.cli.progress.Progress;
import java.nio.file.Path;
import java.util.Locale;
import picocli.CommandLine.Option;

/**
 * The {@code explain} options that shape a run over many inputs: {@code --batch-size}, {@code
 * --resume} (and {@code --resume-anyway}), {@code --save-raw}, {@code --report} and {@code --progress}.
 */
public final class RunOptions {
    @Option(names = "--batch-size", paramLabel = "N", defaultValue = "0",
            description = "Images per forward/backward pass; 0 chooses by backend and Java heap (default: ${DEFAULT-VALUE}).")
    private int batchSize;

    @Option(names = "--resume",
            description = "Skip inputs whose outputs all exist already in --out (to continue an interrupted run). Refused"
                    + " when --out was written with other settings (model, weights, method, options, drawing).")
    private boolean resume;

    @Option(names = "--resume-anyway",
            description = "As --resume, even when --out was written with other settings: the outputs then mix them.")
    private boolean resumeAnyway;

    @Option(names = "--save-raw",
            description = "Also write each image's raw map as float32 .npy [1, 3, 224, 224] (arrays always get theirs).")
    private boolean saveRaw;

    @Option(names = "--report", paramLabel = "FILE",
            description = "Write a JSON report of the run: per input its path, status, top-5, targets, timings and"
                    + " output files, with the method, backend and model.")
    private Path report;

    @Option(names = "--progress", paramLabel = "MODE", defaultValue = "auto",
            description = "Progress display: auto (a bar on a terminal, plain lines otherwise), bar, lines or none"
                    + " (default: ${DEFAULT-VALUE}).")
    private String progress;

    /** The requested batch size; 0 for automatic. */
    int batchSize() {
        return batchSize;
    }

    /** Whether inputs with complete outputs are skipped. */
    boolean resume() {
        return resume || resumeAnyway;
    }

    /** Whether they are skipped even when the folder was written with other settings. */
    boolean resumeAnyway() {
        return resumeAnyway;
    }

    /** Whether images get raw {@code .npy} maps. */
    boolean saveRaw() {
        return saveRaw;
    }

    /** The run report's file, or null. */
    Path report() {
        return report;
    }

    /**
     * The progress display mode.
     *
     * @throws IllegalArgumentException for an unknown one
     */
    Progress.Mode progress() {
        try {
            return Progress.Mode.valueOf(progress.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--progress " + progress + " is not one of auto, bar, lines, none");
        }
    }
}
