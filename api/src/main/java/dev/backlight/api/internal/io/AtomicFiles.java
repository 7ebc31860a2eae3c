package dev.backlight.api.internal.io;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Pattern;

/**
 * Writes a file so that readers see either the old content or the complete new content, never a
 * half-written file: the bytes go to a hidden temporary file in the target's directory, which is
 * flushed to disk and then renamed over the target.
 *
 * <p>A process that is stopped while writing (Ctrl-C, {@code kill}) would leave the hidden
 * temporary file behind: the JVM runs its shutdown hooks and halts, and the {@code finally} that
 * deletes the file never runs. A shutdown hook that calls {@link #abandonWrites()} prevents that:
 * every temporary file still being written is deleted and no new one is created afterwards.
 *
 * <p>Temporary files are named {@code .backlight-<16 hex digits>.tmp} (28 bytes), whatever the
 * target is called: a name derived from the target's would exceed the file system's limit on a
 * name (255 bytes on most) for targets whose own name is within it. {@link #isTemporary} recognises
 * them; which target one belonged to cannot be told from its name, so a program that deletes the
 * leftovers of a killed process must know that no live process writes in that folder (Backlight's
 * command line holds a lock on its output folder for that).
 *
 * <p>Safe to call from several threads, though two writers of the same target race (the last
 * rename wins).
 */
public final class AtomicFiles {
    private static final int NAME_ATTEMPTS = 16;
    /** What every temporary file's name starts with. */
    public static final String TEMPORARY_PREFIX = ".backlight-";
    /** The name of a temporary file: {@code .backlight-<16 hex>.tmp}, short whatever the target's name. */
    private static final Pattern TEMPORARY_NAME = Pattern.compile("\\.backlight-[0-9a-f]{16}\\.tmp");

    /** The temporary files of the writes in progress; guarded by itself, as is {@link #abandoned}. */
    private static final Set<Path> IN_FLIGHT = new HashSet<>();
    private static boolean abandoned;

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
            // If abandonWrites() deleted the temporary file meanwhile, this fails and the target stays as it was.
            moveIntoPlace(temporary, absolute);
        } catch (IOException | RuntimeException | Error e) {
            try {
                Files.deleteIfExists(temporary);
            } catch (IOException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        } finally {
            synchronized (IN_FLIGHT) {
                IN_FLIGHT.remove(temporary);
            }
        }
    }

    /**
     * Stops every write of this process for good, for a shutdown hook: deletes the temporary file
     * of each write in progress (its target keeps its old content, or stays absent) and makes every
     * later {@link #write} fail with an {@code IOException} before it creates anything. A write whose
     * rename already happened is complete and stays. Idempotent.
     *
     * @return the temporary files deleted (those a concurrent rename moved first are not counted)
     */
    public static List<Path> abandonWrites() {
        List<Path> deleted = new ArrayList<>();
        synchronized (IN_FLIGHT) {
            abandoned = true;
            for (Path temporary : IN_FLIGHT) {
                try {
                    if (Files.deleteIfExists(temporary)) {
                        deleted.add(temporary);
                    }
                } catch (IOException e) {
                    // Nothing more can be done while the process stops; the file is hidden and named *.tmp.
                }
            }
            IN_FLIGHT.clear();
        }
        return deleted;
    }

    /**
     * Whether a file called {@code fileName} is the temporary file of a write ({@code
     * .backlight-1f3a9c07d2e4b5a6.tmp}). Such a file outlives its write only when the process was
     * killed outright (SIGKILL, a power cut), so that no shutdown hook ran; which target it was
     * for cannot be told from its name.
     */
    public static boolean isTemporary(String fileName) {
        return TEMPORARY_NAME.matcher(fileName).matches();
    }

    /** Undoes {@link #abandonWrites()}; for tests of this class only. */
    static void allowWritesAgain() {
        synchronized (IN_FLIGHT) {
            abandoned = false;
        }
    }

    // CREATE_NEW with default attributes keeps the umask's permissions; Files.createTempFile would
    // make the final file readable by its owner only.
    private static Path createTemporary(Path target) throws IOException {
        Path directory = target.getParent();
        for (int attempt = 1; ; attempt++) {
            String random = String.format("%016x", ThreadLocalRandom.current().nextLong());
            Path candidate = directory.resolve(TEMPORARY_PREFIX + random + ".tmp");
            // Created and registered under the lock, so that abandonWrites() sees every file it must delete.
            synchronized (IN_FLIGHT) {
                if (abandoned) {
                    throw new IOException("not writing " + target + ": the process is stopping");
                }
                try {
                    Files.newByteChannel(candidate, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE).close();
                    IN_FLIGHT.add(candidate);
                    return candidate;
                } catch (FileAlreadyExistsException e) {
                    if (attempt == NAME_ATTEMPTS) {
                        throw e;
                    }
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
