package dev.backlight.cli;

import dev.backlight.api.internal.io.AtomicFiles;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
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
    /** Closed by the hook after the writes are abandoned, such as the lock on the output folder. */
    private static final Set<AutoCloseable> ON_STOP = ConcurrentHashMap.newKeySet();

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

    /**
     * What the process is doing and what the user should do to finish the work if it is stopped
     * from now on; one phrase, or null for nothing.
     */
    public static void advise(String whatToDo) {
        advice = whatToDo;
    }

    /** Has {@code resource} closed when a signal stops the process, after the outputs being written are discarded. */
    public static void onStop(AutoCloseable resource) {
        ON_STOP.add(resource);
    }

    /** Undoes {@link #onStop}: {@code resource} was closed already. */
    public static void forget(AutoCloseable resource) {
        ON_STOP.remove(resource);
    }

    /** The advice given last, or null. */
    public static String advice() {
        return advice;
    }

    private static void stopping() {
        List<Path> deleted = AtomicFiles.abandonWrites();
        for (AutoCloseable resource : ON_STOP) {
            try {
                resource.close();
            } catch (Exception e) {
                // The process is stopping; nothing more can be done.
            }
        }
        if (finished) {
            return;
        }
        String unfinished = deleted.isEmpty() ? ""
                : "; discarded " + deleted.size() + (deleted.size() == 1 ? " unfinished file" : " unfinished files");
        System.err.println("backlight: interrupted" + unfinished + (advice == null ? "" : "; " + advice));
        System.err.flush();
    }
}
