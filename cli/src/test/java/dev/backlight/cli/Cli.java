package dev.backlight.cli;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import picocli.CommandLine;

/** Runs {@code backlight} in-process and captures what it prints. */
public final class Cli {
    private Cli() {
    }

    /** The outcome of one run. */
    public record Result(int exitCode, String out, String err) {
        /** The stderr lines that report an error. */
        public List<String> errorLines() {
            return err.lines().filter(l -> l.startsWith(FailureReporter.PREFIX)).toList();
        }

        @Override
        public String toString() {
            return "exit " + exitCode + "\n--- stdout\n" + out + "--- stderr\n" + err;
        }
    }

    /** Runs the command with these arguments. */
    public static Result run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cli = Backlight.commandLine();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        int code = cli.execute(args);
        return new Result(code, out.toString(), err.toString());
    }
}
