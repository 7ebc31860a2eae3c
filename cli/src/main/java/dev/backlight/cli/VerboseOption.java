package dev.backlight.cli;

import picocli.CommandLine.Option;

/**
 * The {@code --verbose} option that every subcommand mixes in: more logging (the backend
 * selection report, timings, the library's debug messages) and stack traces with errors.
 */
public final class VerboseOption {
    /** The option's long name, as {@link FailureReporter} looks it up in a parse result. */
    public static final String NAME = "--verbose";

    @Option(names = {"-v", NAME}, description = "Log the backend selection report and timings to stderr, and print a stack trace with an error.")
    private boolean verbose;

    /** Whether {@code --verbose} was given. */
    public boolean enabled() {
        return verbose;
    }
}
