package dev.backlight.cli;

import dev.backlight.api.BacklightException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The {@code --out} folder: checked before anything is loaded or computed, created (with its
 * parents) and probed with a real write only once every input and the weights have been read, so
 * that a failed run leaves nothing behind.
 */
final class OutputDirectory {
    private OutputDirectory() {
    }

    /**
     * Checks that {@code dir} is, or can become, a writable folder.
     *
     * @throws BacklightException saying what is wrong with it
     */
    static void check(Path dir) {
        if (Files.exists(dir)) {
            if (!Files.isDirectory(dir)) {
                throw new BacklightException("--out " + dir + " exists and is not a directory; choose a folder");
            }
            if (!Files.isWritable(dir)) {
                throw new BacklightException("--out " + dir + " is not writable; choose a folder you can write to");
            }
            return;
        }
        Path ancestor = dir.toAbsolutePath().normalize().getParent();
        while (ancestor != null && !Files.exists(ancestor)) {
            ancestor = ancestor.getParent();
        }
        if (ancestor != null && !Files.isDirectory(ancestor)) {
            throw new BacklightException("cannot create --out " + dir + ": " + ancestor + " is not a directory");
        }
        if (ancestor != null && !Files.isWritable(ancestor)) {
            throw new BacklightException("cannot create --out " + dir + ": " + ancestor + " is not writable");
        }
    }

    /**
     * Creates {@code dir} if needed and proves it writable by creating and deleting a hidden file.
     *
     * @throws BacklightException if it cannot be created or written
     */
    static void prepare(Path dir) {
        try {
            Files.createDirectories(dir);
            Path probe = Files.createTempFile(dir, ".backlight-probe-", ".tmp");
            Files.delete(probe);
        } catch (IOException e) {
            throw new BacklightException("cannot write to --out " + dir + ": " + e + "; choose a writable folder", e);
        }
    }
}
