package dev.backlight.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The launcher of the distribution, {@code target/backlight/bin/backlight}, run as a user runs it:
 * from other folders, through symbolic links, with {@code JAVA_HOME}, {@code JAVA_OPTS} and
 * {@code BACKLIGHT_PLUGINS} set. Failsafe runs it after {@code package}, which makes the
 * distribution (system property {@code backlight.test.distribution}). The Vector API kernel is
 * recognised by what {@code backlight info} prints, which comes from the kernel the JVM loaded;
 * the scalar kernel, what {@code java -jar} gets, prints "GEMM: scalar".
 *
 * <p>The POSIX script only: {@code backlight.cmd} cannot run here, so only its content is checked.
 */
class LauncherIT {
    private static final String VECTOR_KERNEL = "GEMM: Vector API";
    private static final String SCALAR_KERNEL = "GEMM: scalar";

    private static Path distribution;
    private static Path launcher;

    @BeforeAll
    static void findTheDistribution() {
        assumeFalse(System.getProperty("os.name").startsWith("Windows"), "bin/backlight is a POSIX shell script");
        String dir = System.getProperty("backlight.test.distribution");
        assertTrue(dir != null, "system property backlight.test.distribution is not set (run through Maven's failsafe)");
        distribution = Path.of(dir).toAbsolutePath();
        launcher = distribution.resolve("bin/backlight");
        assertTrue(Files.isExecutable(launcher), launcher + " is missing or not executable");
    }

    @Test
    void infoReportsTheVectorApiKernelWhenRunFromAnotherFolder(@TempDir Path elsewhere) throws Exception {
        Run run = run(elsewhere, Map.of(), launcher.toString(), "info");
        assertEquals(0, run.exitCode, run.toString());
        assertTrue(run.out.contains(VECTOR_KERNEL), run.toString());
        assertFalse(run.out.contains(SCALAR_KERNEL), run.toString());
    }

    @Test
    void worksThroughChainedAndRelativeSymbolicLinks(@TempDir Path dir) throws Exception {
        Path links = Files.createDirectories(dir.resolve("links"));
        Path absolute = Files.createSymbolicLink(links.resolve("backlight-absolute"), launcher);
        Path relative = Files.createSymbolicLink(links.resolve("backlight"), Path.of("backlight-absolute"));
        Path cwd = Files.createDirectories(dir.resolve("somewhere/else"));
        assertTrue(Files.isSymbolicLink(relative) && Files.isSymbolicLink(absolute));

        Run run = run(cwd, Map.of(), relative.toString(), "info");
        assertEquals(0, run.exitCode, run.toString());
        assertTrue(run.out.contains(VECTOR_KERNEL), run.toString());
    }

    @Test
    void keepsAClassDataArchiveInTheCacheQuietly(@TempDir Path dir) throws Exception {
        Path archives = dir.resolve("cache/jvm");
        Run first = run(dir, Map.of(), launcher.toString(), "--version");
        Run second = run(dir, Map.of(), launcher.toString(), "--version");
        assertEquals(0, first.exitCode, first.toString());
        assertEquals(0, second.exitCode, second.toString());
        List<Path> made;
        try (var files = Files.list(archives)) {
            made = files.toList();
        }
        assertEquals(1, made.size(), "one archive for this JDK and these jars: " + made);
        assertTrue(made.get(0).getFileName().toString().endsWith(".jsa"), made.toString());
        assertEquals(first.out, second.out, "the archive changes nothing the command prints");
        for (Run run : List.of(first, second)) {
            assertTrue(run.err.lines().allMatch(l -> l.contains("incubator")), "only the JVM's incubator note on stderr: " + run);
        }
        Path off = Files.createDirectories(dir.resolve("off"));
        Run without = run(off, Map.of("BACKLIGHT_JVM_CACHE", "off"), launcher.toString(), "--version");
        assertEquals(0, without.exitCode, without.toString());
        assertTrue(!Files.exists(off.resolve("cache/jvm")) || Files.list(off.resolve("cache/jvm")).findAny().isEmpty(),
                "BACKLIGHT_JVM_CACHE=off keeps no archive");
    }

    @Test
    void usesJavaHomeAndGivesTheJvmTheVectorModuleAndNativeAccess(@TempDir Path dir) throws Exception {
        Path argsFile = dir.resolve("args.txt");
        Path fakeHome = fakeJavaHome(dir, argsFile, true);

        Run run = run(dir, Map.of("JAVA_HOME", fakeHome.toString()), launcher.toString(), "info");
        assertEquals(0, run.exitCode, run.toString());
        List<String> args = Files.readAllLines(argsFile, StandardCharsets.UTF_8);
        int addModules = args.indexOf("--add-modules");
        assertTrue(addModules >= 0 && args.get(addModules + 1).equals("jdk.incubator.vector"), args.toString());
        assertTrue(args.contains("--enable-native-access=ALL-UNNAMED"), args.toString());
        int mainClass = args.indexOf(System.getProperty("backlight.test.mainClass"));
        assertTrue(mainClass > 0 && args.get(mainClass + 1).equals("info"), "main class, then the arguments: " + args);
        assertTrue(run.out.contains(VECTOR_KERNEL), run.toString());
    }

    @Test
    void passesJavaOptsToTheJvm(@TempDir Path cwd) throws Exception {
        // Two options in one variable, each visible in info only if it reached the JVM: the GEMM
        // property forces the scalar kernel, and the heap limit is printed (in GiB, one decimal).
        Run run = run(cwd, Map.of("JAVA_OPTS", "-Xmx512m -Dbacklight.cpu.gemm=scalar"), launcher.toString(), "info");
        assertEquals(0, run.exitCode, run.toString());
        assertTrue(run.out.contains(SCALAR_KERNEL), run.toString());
        assertTrue(run.out.contains("max heap   0.5 GiB"), run.toString());
    }

    @Test
    void putsPluginsFolderAndBacklightPluginsOnTheClassPath(@TempDir Path dir) throws Exception {
        Path argsFile = dir.resolve("args.txt");
        Path fakeHome = fakeJavaHome(dir, argsFile, false);
        Path jar = Files.write(dir.resolve("my extension.jar"), new byte[] {'P', 'K', 5, 6});
        Path folder = Files.createDirectories(dir.resolve("more plugins"));

        // An empty entry (the "::") is skipped, as PATH-like lists allow.
        String plugins = jar + "::" + folder;
        Run run = run(dir, Map.of("JAVA_HOME", fakeHome.toString(), "BACKLIGHT_PLUGINS", plugins),
                launcher.toString(), "info");
        assertEquals(0, run.exitCode, run.toString());
        List<String> args = Files.readAllLines(argsFile, StandardCharsets.UTF_8);
        int cp = args.indexOf("-cp");
        assertTrue(cp >= 0, args.toString());
        String home = distribution.toRealPath().toString();
        assertEquals(String.join(":", home + "/lib/*", home + "/plugins/*", jar.toString(), folder.toString(),
                folder + "/*"), args.get(cp + 1));
    }

    @Test
    void refusesAPluginThatDoesNotExist(@TempDir Path dir) throws Exception {
        Path missing = dir.resolve("no-such.jar");
        Run run = run(dir, Map.of("BACKLIGHT_PLUGINS", missing.toString()), launcher.toString(), "info");
        assertEquals(1, run.exitCode, run.toString());
        assertTrue(run.err.contains("BACKLIGHT_PLUGINS names " + missing), run.toString());
    }

    @Test
    void refusesAJavaHomeWithoutJava(@TempDir Path dir) throws Exception {
        Run run = run(dir, Map.of("JAVA_HOME", dir.toString()), launcher.toString(), "info");
        assertEquals(1, run.exitCode, run.toString());
        assertTrue(run.err.contains("JAVA_HOME is " + dir), run.toString());
    }

    @Test
    void windowsLauncherHasTheMainClassTheFlagsAndCrlfLineEnds() throws IOException {
        String cmd = Files.readString(distribution.resolve("bin/backlight.cmd"), StandardCharsets.UTF_8);
        assertTrue(cmd.contains(" " + System.getProperty("backlight.test.mainClass") + " %*"), cmd);
        assertTrue(cmd.contains("--add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED %JAVA_OPTS%"), cmd);
        assertFalse(cmd.contains("@backlight.main.class@"), "not filtered");
        assertEquals(cmd.split("\n", -1).length, cmd.split("\r\n", -1).length, "every line ends in CRLF");
        String sh = Files.readString(launcher, StandardCharsets.UTF_8);
        assertFalse(sh.contains("\r"), "the shell script has LF line ends");
    }

    /**
     * A folder that looks like a JDK to the launcher: its {@code bin/java} writes its arguments, one a
     * line, to {@code argsFile}, then runs the real java with them ({@code delegate}) or exits 0.
     */
    private static Path fakeJavaHome(Path dir, Path argsFile, boolean delegate) throws IOException {
        Path bin = Files.createDirectories(dir.resolve("fake-jdk/bin"));
        String realJava = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String script = "#!/bin/sh\n"
                + "printf '%s\\n' \"$@\" > '" + argsFile + "'\n"
                + (delegate ? "exec '" + realJava + "' \"$@\"\n" : "exit 0\n");
        Path java = Files.writeString(bin.resolve("java"), script, StandardCharsets.UTF_8);
        Files.setPosixFilePermissions(java, PosixFilePermissions.fromString("rwxr-xr-x"));
        return dir.resolve("fake-jdk");
    }

    /** Runs a command in {@code cwd} with the JVM of this test as JAVA_HOME unless {@code env} says otherwise. */
    private static Run run(Path cwd, Map<String, String> env, String... command) throws Exception {
        ProcessBuilder builder = new ProcessBuilder(command).directory(cwd.toFile());
        Map<String, String> environment = builder.environment();
        environment.remove("JAVA_OPTS");
        environment.remove("BACKLIGHT_PLUGINS");
        environment.remove("JAVA_TOOL_OPTIONS");
        environment.put("JAVA_HOME", System.getProperty("java.home"));
        // The class-data-sharing archive goes to the test's folder, not the user's cache.
        environment.put("BACKLIGHT_CACHE", cwd.resolve("cache").toString());
        environment.remove("BACKLIGHT_JVM_CACHE");
        environment.putAll(env);
        Path out = Files.createTempFile(cwd, "out", ".txt");
        Path err = Files.createTempFile(cwd, "err", ".txt");
        Process process = builder.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        if (!process.waitFor(120, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError(String.join(" ", command) + " did not finish in 120 s");
        }
        return new Run(String.join(" ", command), process.exitValue(), Files.readString(out), Files.readString(err));
    }

    private record Run(String command, int exitCode, String out, String err) {
        @Override
        public String toString() {
            return command + " exited with " + exitCode + "\n--- stdout:\n" + out + "--- stderr:\n" + err;
        }
    }
}
