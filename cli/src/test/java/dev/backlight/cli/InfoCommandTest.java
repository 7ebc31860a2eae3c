package dev.backlight.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** {@code backlight info}, {@code --version}, {@code --help} and the top command on its own. */
class InfoCommandTest {

    @Test
    void infoListsTheCpuBackendAndTheMethods() {
        Cli.Result r = Cli.run("info");

        assertEquals(ExitCodes.OK, r.exitCode(), r::toString);
        assertTrue(r.out().contains("backlight " + VersionProvider.version()), r::toString);
        assertTrue(r.out().lines().anyMatch(l -> l.matches("\\s+cpu\\s+priority\\s+\\d+\\s+available\\s.*")), r::toString);
        assertTrue(r.out().contains("backend: "), r::toString);
        assertTrue(r.out().contains("guided-backprop"), r::toString);
        assertTrue(r.out().contains("ReLU rules: "), r::toString);
        assertTrue(r.out().contains("java "), r::toString);
        assertTrue(r.out().lines().anyMatch(l -> l.matches("cpu cores\\s+\\d+")), r::toString);
    }

    @Test
    void completionScriptCoversTheSubcommandsAndOptions() {
        Cli.Result r = Cli.run("generate-completion");

        assertEquals(ExitCodes.OK, r.exitCode(), r::toString);
        assertTrue(r.out().contains("complete -F _complete_backlight"), r::toString);
        assertTrue(r.out().contains("explain") && r.out().contains("--clip-percentile"), "explain's options are missing");
    }

    @Test
    void versionIsTheProjectVersion() {
        Cli.Result r = Cli.run("--version");

        assertEquals(ExitCodes.OK, r.exitCode(), r::toString);
        assertTrue(r.out().strip().matches("backlight \\d+\\.\\d+\\.\\d+.*"), r::toString);
        assertTrue(!VersionProvider.version().contains("$"), "the version resource was not filtered");
    }

    @Test
    void helpOfExplainNamesItsOptions() {
        Cli.Result r = Cli.run("explain", "--help");

        assertEquals(ExitCodes.OK, r.exitCode(), r::toString);
        for (String option : new String[] {"--weights", "--model", "--method", "--class", "--top-k", "--backend",
            "--threads", "--out", "--verbose", "--batch-size", "--resume", "--save-raw", "--report", "--progress",
            "--render", "--reduce", "--sign", "--clip-percentile", "--colormap", "--overlay-alpha", "--full-size",
            "--grid", "--background"}) {
            assertTrue(r.out().contains(option), option + " missing from:\n" + r.out());
        }
    }

    @Test
    void noSubcommandIsAUsageError() {
        Cli.Result r = Cli.run();

        assertEquals(ExitCodes.USAGE, r.exitCode(), r::toString);
        assertEquals(1, r.errorLines().size(), r::toString);
        assertTrue(r.errorLines().get(0).contains("explain"), r::toString);
    }

    @Test
    void unknownOptionIsAUsageError() {
        Cli.Result r = Cli.run("info", "--nosuch");

        assertEquals(ExitCodes.USAGE, r.exitCode(), r::toString);
        assertEquals(1, r.errorLines().size(), r::toString);
        assertTrue(r.errorLines().get(0).contains("--nosuch"), r::toString);
    }
}
