package dev.backlight.api.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/** Runs short scripts with the system Python's NumPy; the one guard for tests that need it. */
final class PythonNumpy {
    private static final Path PYTHON = Path.of("/usr/bin/python3");
    private static final long TIMEOUT_SECONDS = 120;
    private static Boolean available;

    private PythonNumpy() {}

    /** Skips the calling test, saying why, unless {@code /usr/bin/python3 -c "import numpy"} works. */
    static synchronized void assumeAvailable() {
        if (available == null) {
            available = probe();
        }
        Assumptions.assumeTrue(available, "NumPy interoperability needs /usr/bin/python3 with numpy"
                + " (apt-get install python3-numpy); skipped");
    }

    private static boolean probe() {
        if (!Files.isExecutable(PYTHON)) {
            return false;
        }
        try {
            Process p = new ProcessBuilder(PYTHON.toString(), "-c", "import numpy")
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            if (!p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return false;
            }
            return p.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** Runs {@code script} with {@code directory} as {@code sys.argv[1]}; fails unless it exits 0. */
    static String run(Path directory, String script) throws IOException, InterruptedException {
        Path output = Files.createTempFile(directory.getParent(), "python", ".out");
        try {
            Process p = new ProcessBuilder(PYTHON.toString(), "-c", script, directory.toString())
                    .redirectErrorStream(true).redirectOutput(output.toFile()).start();
            boolean finished = p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS);
            if (!finished) {
                p.destroyForcibly();
            }
            String text = Files.readString(output, StandardCharsets.UTF_8);
            assertTrue(finished, "python did not finish within " + TIMEOUT_SECONDS + " s: " + text);
            assertEquals(0, p.exitValue(), "python failed: " + text);
            return text;
        } finally {
            Files.deleteIfExists(output);
        }
    }
}
