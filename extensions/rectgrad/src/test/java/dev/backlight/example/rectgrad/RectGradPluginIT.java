package dev.backlight.example.rectgrad;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * This extension's jar, as a user installs it, in the command-line distribution built by the cli
 * module ({@code cli/target/backlight}): named in {@code BACKLIGHT_PLUGINS}, or dropped into the
 * distribution's {@code plugins/} folder. {@code backlight info} then lists the method and the rule;
 * without the jar it lists neither. Skipped when the distribution has not been built (a build of
 * this module alone); the reactor builds it first, since this module depends on the cli.
 */
class RectGradPluginIT {
    private static final String METHOD_LINE = "rectgrad             rule rectgrad";
    private static final String RULES_LINE = "ReLU rules: vanilla, deconvnet, guided, rectgrad";

    private static Path distribution;
    private static Path pluginJar;

    @BeforeAll
    static void findTheDistributionAndTheJar() {
        assumeFalse(System.getProperty("os.name").startsWith("Windows"), "bin/backlight is a POSIX shell script");
        distribution = Path.of(System.getProperty("backlight.test.distribution", "")).toAbsolutePath();
        assumeTrue(Files.isExecutable(distribution.resolve("bin/backlight")),
                "no command-line distribution at " + distribution + " (build the cli module with package first)");
        pluginJar = Path.of(System.getProperty("backlight.test.pluginJar", ""));
        assertTrue(Files.isRegularFile(pluginJar), "this module's jar is missing: " + pluginJar);
    }

    @Test
    void withoutThePluginInfoListsNoRectGrad(@TempDir Path cwd) throws Exception {
        String out = info(distribution, cwd, Map.of());
        assertFalse(out.contains("rectgrad"), out);
    }

    @Test
    void backlightPluginsAddsTheMethodAndTheRule(@TempDir Path cwd) throws Exception {
        String out = info(distribution, cwd, Map.of("BACKLIGHT_PLUGINS", pluginJar.toString()));
        assertTrue(out.contains(METHOD_LINE), out);
        assertTrue(out.contains(RULES_LINE), out);
    }

    @Test
    void aJarInThePluginsFolderAddsTheMethodAndTheRule(@TempDir Path dir) throws Exception {
        // A distribution of our own to drop the jar into: its launcher and plugins/ are copies, its
        // lib/ is the built one (linked, not copied: some 15 MB).
        Path copy = dir.resolve("backlight");
        Files.createDirectories(copy.resolve("bin"));
        Files.copy(distribution.resolve("bin/backlight"), copy.resolve("bin/backlight"), StandardCopyOption.COPY_ATTRIBUTES);
        Files.createSymbolicLink(copy.resolve("lib"), distribution.resolve("lib"));
        Files.createDirectories(copy.resolve("plugins"));
        Files.copy(pluginJar, copy.resolve("plugins").resolve(pluginJar.getFileName()));

        String out = info(copy, Files.createDirectories(dir.resolve("cwd")), Map.of());
        assertTrue(out.contains(METHOD_LINE), out);
        assertTrue(out.contains(RULES_LINE), out);
    }

    /** The standard output of {@code bin/backlight info} of {@code home}, run in {@code cwd}; fails unless it exits 0. */
    private static String info(Path home, Path cwd, Map<String, String> env) throws Exception {
        ProcessBuilder builder = new ProcessBuilder(home.resolve("bin/backlight").toString(), "info").directory(cwd.toFile());
        builder.environment().remove("BACKLIGHT_PLUGINS");
        builder.environment().remove("JAVA_OPTS");
        builder.environment().put("JAVA_HOME", System.getProperty("java.home"));
        builder.environment().putAll(env);
        Path out = cwd.resolve("info.out");
        Path err = cwd.resolve("info.err");
        Process process = builder.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        if (!process.waitFor(120, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("backlight info did not finish in 120 s");
        }
        assertEquals(0, process.exitValue(), "backlight info failed:\n" + Files.readString(out) + Files.readString(err));
        return Files.readString(out);
    }
}
