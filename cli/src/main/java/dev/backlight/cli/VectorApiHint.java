package dev.backlight.cli;

import java.io.PrintWriter;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Says once, on stderr, when the CPU backend will run its scalar GEMM because the JVM lacks the
 * Vector API module ({@code java -jar backlight.jar} cannot add it): the launcher
 * {@code bin/backlight} adds it and is about three times faster.
 */
public final class VectorApiHint {
    private static final String MODULE = "jdk.incubator.vector";
    private static final AtomicBoolean SAID = new AtomicBoolean();

    private VectorApiHint() {
    }

    /** Prints the hint if {@code backend} is {@code cpu}, the module is missing and the hint was not given yet. */
    public static void warnIfScalar(String backend, PrintWriter err) {
        if (!backend.equals("cpu") || ModuleLayer.boot().findModule(MODULE).isPresent()
                || "scalar".equals(System.getProperty("backlight.cpu.gemm")) || !SAID.compareAndSet(false, true)) {
            return;
        }
        err.println("backlight: warning: the CPU backend runs its scalar path here, about 3x slower, because the JVM was"
                + " started without --add-modules " + MODULE + "; run the launcher (bin/backlight) instead of java -jar,"
                + " or add --add-modules " + MODULE + " to the java command");
        err.flush();
    }
}
