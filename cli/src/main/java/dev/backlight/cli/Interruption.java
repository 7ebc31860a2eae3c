package dev.backlight.cli;

import dev.backlight.api.internal.io.AtomicFiles;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * What {@code backlight} does when a signal stops it (Ctrl-C sends SIGINT, {@code kill} SIGTERM).
 * The JVM then runs its shutdown hooks and exits with 128 + the signal's number: {@value
 * ExitCodes#INTERRUPTED} for SIGINT, 143 for SIGTERM. Backlight's hook deletes the temporary file
 * of every output still being written ({@link AtomicFiles#abandonWrites()}) and lets no new one
 * start, so that the output folder holds only complete files, and says on stderr what to do next.
 * SIGKILL runs no hook: it can leave one hidden {@code .<name>.<random>.tmp} file per output being
 * written, never a half-written output.
 *
 * <p>Only {@link Backlight#main} installs the hook; commands run in-process (tests) leave the JVM
 * alone.
 */
public final class Interruption {
    private static final AtomicBoolean INSTALLED = new AtomicBoolean();
    private static volatile boolean finished;
    private static volatile String advice;

    private Interruption() {
    }

    /** Installs the shutdown hook, once per JVM. */
    public static void install() {
        if (INSTALLED.compareAndSet(false, true)) {
            Runtime.getRuntime().addShutdownHook(new Thread(Interruption::stopping, "backlight-interrupted"));
        }
    }

    /** The command has returned its exit code: a later shutdown is the normal one and says nothing. */
    public static void finished() {
        finished = true;
    }

    /** What the user should do to finish the work if the process is stopped from now on; one phrase. */
    public static void advise(String whatToDo) {
        advice = whatToDo;
    }

    private static void stopping() {
        List<Path> deleted = AtomicFiles.abandonWrites();
        if (finished) {
            return;
        }
        String unfinished = deleted.isEmpty() ? ""
                : "; discarded " + deleted.size() + (deleted.size() == 1 ? " unfinished file" : " unfinished files");
        System.err.println("backlight: interrupted" + unfinished + (advice == null ? "" : "; " + advice));
        System.err.flush();
    }
}
