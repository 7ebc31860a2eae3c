package dev.backlight.api.io;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Writes a file so that readers see either the old content or the complete new content, never a
 * half-written file: the bytes go to a hidden temporary file in the target's directory, which is
 * flushed to disk and then renamed over the target.
 *
 * <p>Stateless; safe to call from several threads, though two writers of the same target race
 * (the last rename wins).
 */
public final class AtomicFiles {
    private static final int NAME_ATTEMPTS = 16;

    private AtomicFiles() {}

    /** Writes a file's whole content to an open channel positioned at its start. */
    @FunctionalInterface
    public interface Content {
        /**
         * Writes all bytes of the file. The channel belongs to {@link AtomicFiles}: do not close it.
         *
         * @throws IOException to abandon the write; the target is then left untouched
         */
        void writeTo(FileChannel channel) throws IOException;
    }

    /**
     * Replaces {@code target} (or creates it) with what {@code content} writes.
     *
     * <p>The rename is atomic where the file system supports it; elsewhere the target is replaced
     * by a plain move, which is still never observed half-written by well-behaved readers of the
     * same directory. On any failure the temporary file is deleted and the target is untouched.
     *
     * @throws IOException if the directory is not writable, the content fails, or the rename fails
     */
    public static void write(Path target, Content content) throws IOException {
        Path absolute = target.toAbsolutePath();
        Path temporary = createTemporary(absolute);
        try {
            try (FileChannel channel = FileChannel.open(temporary, StandardOpenOption.WRITE)) {
                content.writeTo(channel);
                channel.force(true);
            }
            moveIntoPlace(temporary, absolute);
        } catch (IOException | RuntimeException | Error e) {
            try {
                Files.deleteIfExists(temporary);
            } catch (IOException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
    }

    // CREATE_NEW with default attributes keeps the umask's permissions; Files.createTempFile would
    // make the final file readable by its owner only.
    private static Path createTemporary(Path target) throws IOException {
        Path directory = target.getParent();
        String hidden = "." + target.getFileName() + ".";
        for (int attempt = 1; ; attempt++) {
            String suffix = Long.toHexString(ThreadLocalRandom.current().nextLong() >>> 1);
            Path candidate = directory.resolve(hidden + suffix + ".tmp");
            try {
                Files.newByteChannel(candidate, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE).close();
                return candidate;
            } catch (FileAlreadyExistsException e) {
                if (attempt == NAME_ATTEMPTS) {
                    throw e;
                }
            }
        }
    }

    private static void moveIntoPlace(Path temporary, Path target) throws IOException {
        try {
            Files.move(temporary, target, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(temporary, target, StandardCopyOption.REPLACE_EXISTING);
        }
    }
}
