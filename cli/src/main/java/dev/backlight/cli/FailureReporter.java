package dev.backlight.cli;

import dev.backlight.api.BacklightException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import picocli.CommandLine.IExecutionExceptionHandler;
import picocli.CommandLine.IParameterExceptionHandler;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine;

/**
 * Turns every failure into one line on stderr, {@code backlight: error: <message>}, and an exit
 * code: {@link ExitCodes#USAGE} for command-line mistakes (picocli's and our own validation, both
 * {@link ParameterException}s), {@link ExitCodes#FAILURE} for anything that goes wrong while
 * running. The stack trace follows only with {@code --verbose}.
 *
 * <p>Backlight's exceptions say what is wrong and what to do, so their message is printed as is;
 * an exception of an unexpected type (a bug) is printed with its class name.
 */
public final class FailureReporter implements IParameterExceptionHandler, IExecutionExceptionHandler {
    /** What every error line starts with. */
    public static final String PREFIX = "backlight: error: ";

    @Override
    public int handleParseException(ParameterException ex, String[] args) {
        CommandLine command = ex.getCommandLine();
        PrintWriter err = command.getErr();
        // Some picocli messages start with "Error: "; the prefix already says it.
        String message = oneLine(ex.getMessage()).replaceFirst("^Error: ", "");
        err.println(PREFIX + message + " (see '"
                + command.getCommandSpec().qualifiedName() + " --help')");
        err.flush();
        return ExitCodes.USAGE;
    }

    @Override
    public int handleExecutionException(Exception ex, CommandLine command, ParseResult parseResult) {
        PrintWriter err = command.getErr();
        err.println(PREFIX + describe(ex));
        if (verbose(parseResult)) {
            ex.printStackTrace(err);
        }
        err.flush();
        return ExitCodes.FAILURE;
    }

    /** The message of an expected failure; the class name too for anything else. */
    public static String describe(Throwable ex) {
        String message = ex.getMessage();
        boolean expected = ex instanceof BacklightException || ex instanceof IllegalArgumentException
                || ex instanceof IllegalStateException || ex instanceof UncheckedIOException;
        if (expected && message != null && !message.isBlank()) {
            return oneLine(message);
        }
        return oneLine(ex.toString()) + " (unexpected; run with --verbose for the stack trace and report it)";
    }

    private static String oneLine(String message) {
        return message == null ? "(no message)" : message.strip().replaceAll("\\s*\\R\\s*", " ");
    }

    private static boolean verbose(ParseResult result) {
        for (ParseResult r = result; r != null; r = r.subcommand()) {
            if (r.hasMatchedOption(VerboseOption.NAME)) {
                return true;
            }
        }
        return false;
    }
}
