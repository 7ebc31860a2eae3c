package dev.backlight.cli;

import dev.backlight.cli.soak.InstantBackendProvider;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs a class of the tests in a child JVM with its own heap limit and this test's class path,
 * optionally with the {@link InstantBackendProvider instant test backend} registered (its service
 * file is written to a folder added to the child's class path, so the tests' own JVM never sees it).
 */
public final class ChildJvm {
    private ChildJvm() {
    }

    /**
     * The outcome of a child.
     *
     * @param exitCode its exit status
     * @param out what it printed on stdout
     * @param err what it printed on stderr
     * @param seconds how long it ran
     */
    public record Result(int exitCode, String out, String err, double seconds) {
        @Override
        public String toString() {
            return "exit " + exitCode + " after " + String.format("%.1f", seconds) + " s\n--- stdout (last 3000)\n"
                    + tail(out) + "--- stderr (last 3000)\n" + tail(err);
        }

        private static String tail(String s) {
            return s.length() > 3000 ? "..." + s.substring(s.length() - 3000) : s;
        }
    }

    /**
     * Runs {@code mainClass} with {@code args} in a child JVM and waits for it.
     *
     * @param dir a folder for the child's files (stdout, stderr, the service file)
     * @param jvmOptions such as {@code -Xmx256m}
     * @param instantBackend whether the instant backend is on the child's class path
     * @param timeoutSeconds how long to wait before the child is killed and the test fails
     */
    public static Result run(Path dir, List<String> jvmOptions, boolean instantBackend, String mainClass,
                             List<String> args, long timeoutSeconds) throws IOException, InterruptedException {
        Files.createDirectories(dir);
        String classPath = System.getProperty("java.class.path");
        if (instantBackend) {
            Path services = Files.createDirectories(dir.resolve("instant-backend/META-INF/services"));
            Files.writeString(services.resolve("dev.backlight.api.backend.BackendProvider"),
                    InstantBackendProvider.class.getName() + "\n");
            classPath = classPath + java.io.File.pathSeparator + dir.resolve("instant-backend");
        }
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-Djava.awt.headless=true");
        command.addAll(jvmOptions);
        command.add("-cp");
        command.add(classPath);
        command.add(mainClass);
        command.addAll(args);
        Path stdout = dir.resolve("stdout.txt");
        Path stderr = dir.resolve("stderr.txt");
        long start = System.nanoTime();
        Process child = new ProcessBuilder(command).redirectOutput(stdout.toFile()).redirectError(stderr.toFile()).start();
        try {
            if (!child.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                throw new AssertionError("the child JVM did not finish within " + timeoutSeconds + " s: "
                        + new Result(-1, read(stdout), read(stderr), timeoutSeconds));
            }
        } finally {
            child.destroyForcibly();
        }
        return new Result(child.exitValue(), read(stdout), read(stderr), (System.nanoTime() - start) / 1e9);
    }

    /** Runs {@code backlight} itself ({@link Backlight#main}) in a child JVM. */
    public static Result backlight(Path dir, List<String> jvmOptions, boolean instantBackend, List<String> args,
                                   long timeoutSeconds) throws IOException, InterruptedException {
        return run(dir, jvmOptions, instantBackend, Backlight.class.getName(), args, timeoutSeconds);
    }

    private static String read(Path file) throws IOException {
        return Files.exists(file) ? Files.readString(file, StandardCharsets.UTF_8) : "";
    }
}
