package dev.backlight.cli;

import dev.backlight.api.BacklightException;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The {@code --out} folder: proved writable before anything is loaded or computed, by a real write
 * rather than by permission bits (which say nothing for root, ACLs or a read-only mount), and
 * created for good only once every input and the weights have been read, so that a failed run
 * leaves nothing behind.
 */
public final class OutputDirectory {
    private static final String PROBE_PREFIX = ".backlight-probe-";

    private OutputDirectory() {
    }

    /**
     * Checks that {@code dir} is, or can become, a writable folder: an existing folder gets a hidden
     * file created and deleted in it; a missing one is created with its missing parents, probed the
     * same way, and removed again.
     *
     * @throws BacklightException saying what is wrong with it
     */
    public static void check(Path dir) {
        if (Files.exists(dir)) {
            if (!Files.isDirectory(dir)) {
                throw new BacklightException("--out " + dir + " exists and is not a directory; choose a folder");
            }
            try {
                probe(dir);
            } catch (IOException e) {
                throw new BacklightException("--out " + dir + " is not writable (" + reason(e)
                        + "); choose a folder you can write to", e);
            }
            return;
        }
        Path absolute = dir.toAbsolutePath().normalize();
        List<Path> missing = new ArrayList<>();
        for (Path p = absolute; p != null && !Files.exists(p); p = p.getParent()) {
            missing.add(p);
        }
        Path ancestor = missing.get(missing.size() - 1).getParent();
        if (ancestor != null && !Files.isDirectory(ancestor)) {
            throw new BacklightException("cannot create --out " + dir + ": " + ancestor + " is not a directory");
        }
        try {
            Files.createDirectories(absolute);
            probe(absolute);
        } catch (IOException e) {
            throw new BacklightException("cannot create --out " + dir + " (" + reason(e) + "); choose a folder you can"
                    + " write to", e);
        } finally {
            for (Path created : missing) { // deepest first
                try {
                    Files.deleteIfExists(created);
                } catch (DirectoryNotEmptyException e) {
                    break; // someone else writes there now: leave it and its parents
                } catch (IOException e) {
                    // never created (a name too long, say): go on with its parents
                }
            }
        }
    }

    /**
     * Creates {@code dir} if needed and proves it writable by creating and deleting a hidden file.
     *
     * @throws BacklightException if it cannot be created or written
     */
    public static void prepare(Path dir) {
        try {
            Files.createDirectories(dir);
            probe(dir);
        } catch (IOException e) {
            throw new BacklightException("cannot write to --out " + dir + " (" + reason(e) + "); choose a writable folder",
                    e);
        }
    }

    private static void probe(Path dir) throws IOException {
        Files.delete(Files.createTempFile(dir, PROBE_PREFIX, ".tmp"));
    }

    /** Why a file operation failed, in words: the system's reason, without the exception's class name. */
    static String reason(IOException e) {
        if (DiskFull.is(e)) {
            return "the disk is full";
        }
        if (e instanceof FileSystemException f) {
            String why = f instanceof AccessDeniedException ? "permission denied" : f.getReason();
            if (why != null) {
                // The probe's random name would only add noise.
                boolean named = f.getFile() != null && !f.getFile().contains(PROBE_PREFIX);
                return named ? why + ": " + f.getFile() : why;
            }
        }
        return e.toString();
    }
}
