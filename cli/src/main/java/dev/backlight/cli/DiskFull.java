package dev.backlight.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Tells a full disk from other write failures. Java reports the operating system's ENOSPC ("No
 * space left on device") and EDQUOT ("Disk quota exceeded") as a plain {@link IOException} whose
 * message is the system's text, so that text is what is looked for, in the exception and its causes.
 * A full disk is not the fault of one input: a run that meets it stops, and says so.
 */
public final class DiskFull {
    private DiskFull() {
    }

    /** Whether {@code failure}, or one of its causes, is a write that failed for lack of space. */
    public static boolean is(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            String message = t.getMessage();
            if (t instanceof IOException && message != null) {
                String m = message.toLowerCase(Locale.ROOT);
                if (m.contains("no space left on device") || m.contains("disk quota exceeded")) {
                    return true;
                }
            }
            if (t.getCause() == t) {
                break;
            }
        }
        return false;
    }

    /**
     * One line for a full disk under {@code folder}: that it is full, the free space left on its
     * file system, and what to do.
     */
    public static String message(Path folder, String whatToDo) {
        String free;
        try {
            free = " (" + String.format(Locale.ROOT, "%,d", Files.getFileStore(folder).getUsableSpace()) + " bytes free)";
        } catch (IOException | RuntimeException e) {
            free = "";
        }
        return "the disk is full: cannot write in " + folder + free + "; " + whatToDo;
    }
}
