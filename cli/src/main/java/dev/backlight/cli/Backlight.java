package dev.backlight.cli;

import dev.backlight.cli.bench.BenchCommand;
import dev.backlight.cli.explain.ExplainCommand;
import dev.backlight.cli.info.InfoCommand;
import dev.backlight.cli.sanity.SanityCommand;
import picocli.AutoComplete;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import picocli.CommandLine;

/**
 * The {@code backlight} command: {@code explain} computes attribution maps, {@code info} shows
 * what this installation can run.
 *
 * <p>Only {@link #main} exits the JVM; everything else runs in-process through {@link
 * #commandLine()} (set its output and error writers, then call {@code execute}). Exit codes are
 * those of {@link ExitCodes}.
 */
@Command(name = "backlight",
        mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        description = "Gradient attribution maps (Guided Backpropagation, gradients, Deconvnet) for DenseNet.",
        subcommands = {ExplainCommand.class, SanityCommand.class, BenchCommand.class, InfoCommand.class, AutoComplete.GenerateCompletion.class},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:success", "1:failure while running (bad input or weights file, backend, output folder)",
            "2:usage error (unknown or invalid option, value out of range)",
            "130:interrupted by Ctrl-C (143: by SIGTERM); the outputs written are complete, explain --resume does the rest"})
public final class Backlight implements Runnable {
    @Spec
    private CommandSpec spec;

    /** Runs the command and exits with its status; a signal that stops it is handled by {@link Interruption}. */
    public static void main(String[] args) {
        if (System.getProperty("java.awt.headless") == null) {
            System.setProperty("java.awt.headless", "true");
        }
        Interruption.install();
        int status = commandLine().execute(args);
        Interruption.finished();
        System.exit(status);
    }

    /** A fresh command line with Backlight's error handling; set its writers before executing it. */
    public static CommandLine commandLine() {
        FailureReporter reporter = new FailureReporter();
        return new CommandLine(new Backlight())
                .setParameterExceptionHandler(reporter)
                .setExecutionExceptionHandler(reporter);
    }

    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(), "no subcommand given: use 'backlight explain', 'backlight sanity' or 'backlight info'");
    }
}
