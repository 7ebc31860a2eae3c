package dev.backlight.cli;

import dev.backlight.api.BacklightException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;

/**
 * One run's hold on its {@code --out} folder: an exclusive lock on the hidden file {@value #NAME}
 * in it, taken before anything is deleted or written there, so that a second run into the same
 * folder is refused with a message naming the first (its process id and start time) instead of
 * deleting the temporary files the first is writing. The lock is the operating system's
 * ({@link FileChannel#tryLock()}): it is released when the process ends, however it ends, so a
 * run killed outright (SIGKILL, a power cut) never leaves a folder locked.
 *
 * <p>The folder is created if it does not exist; {@link #close()} deletes the lock file and, if
 * this run created the folder and left it empty (every input failed, or the run failed before
 * writing), the folder and the parents it created, so a failed run leaves no {@code --out}
 * behind. A signal that stops the process runs {@link #close()} from {@link Interruption}'s hook.
 */
public final class OutputLock implements AutoCloseable {
    /** The lock file's name in the output folder. */
    public static final String NAME = ".backlight.lock";
    private static final int ATTEMPTS = 5;

    private final Path folder;
    private final Path file;
    private final List<Path> created;
    private final Instant acquired;
    private FileChannel channel;
    private FileLock lock;

    private OutputLock(Path folder, Path file, List<Path> created, Instant acquired, FileChannel channel, FileLock lock) {
        this.folder = folder;
        this.file = file;
        this.created = created;
        this.acquired = acquired;
        this.channel = channel;
        this.lock = lock;
    }

    /**
     * Creates {@code folder} if needed and locks it for this run.
     *
     * @throws BacklightException if another run holds the lock (naming it), or the folder cannot be
     *     created or written
     */
    public static OutputLock acquire(Path folder) {
        Path absolute = folder.toAbsolutePath().normalize();
        List<Path> missing = new ArrayList<>();
        for (Path p = absolute; p != null && !Files.exists(p); p = p.getParent()) {
            missing.add(p); // deepest first
        }
        try {
            Files.createDirectories(absolute);
        } catch (IOException e) {
            removeEmpty(missing);
            throw new BacklightException("cannot create --out " + folder + " (" + OutputDirectory.reason(e)
                    + "); choose a folder you can write to", e);
        }
        Path file = absolute.resolve(NAME);
        try {
            for (int attempt = 1; ; attempt++) {
                // Lock files are deleted when a run ends; time is taken to the millisecond so that a
                // leftover written in the same second as the lock is still older than it.
                Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
                FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ,
                        StandardOpenOption.WRITE);
                Object before = fileKey(file);
                FileLock lock;
                try {
                    lock = channel.tryLock();
                } catch (OverlappingFileLockException e) {
                    lock = null; // this JVM holds it already: another run in the same process
                }
                if (lock == null) {
                    String holder = holder(channel);
                    channel.close();
                    removeEmpty(missing);
                    throw new BacklightException("another backlight run" + holder + " is writing into --out " + folder
                            + "; wait for it to finish, or choose another --out folder");
                }
                // The run that held the lock deletes its file when it ends: if this channel opened that
                // file just before, the lock is on a deleted file, and the path now names another (or none).
                Object after = fileKey(file);
                if (before != null && before.equals(after)) {
                    channel.truncate(0);
                    byte[] text = ("process " + ProcessHandle.current().pid() + ", started " + now + "\n")
                            .getBytes(StandardCharsets.UTF_8);
                    channel.write(ByteBuffer.wrap(text), 0);
                    OutputLock held = new OutputLock(absolute, file, List.copyOf(missing), now, channel, lock);
                    Interruption.onStop(held);
                    return held;
                }
                channel.close();
                if (attempt == ATTEMPTS) {
                    throw new BacklightException("cannot lock --out " + folder + ": its lock file " + file
                            + " keeps being replaced; is another program deleting it?");
                }
            }
        } catch (IOException e) {
            removeEmpty(missing);
            throw new BacklightException("cannot write to --out " + folder + " (" + OutputDirectory.reason(e)
                    + "); choose a folder you can write to", e);
        }
    }

    /** The output folder, absolute. */
    public Path folder() {
        return folder;
    }

    /** Whether this run created the folder (it did not exist before). */
    public boolean createdFolder() {
        return !created.isEmpty();
    }

    /** When this run took the lock: files of Backlight's older than this were left by runs that ended. */
    public Instant acquired() {
        return acquired;
    }

    /**
     * Releases the lock and deletes its file; if this run created the folder and nothing is left in
     * it, deletes the folder and the parents it created. Idempotent; never throws.
     */
    @Override
    public synchronized void close() {
        if (channel == null) {
            return;
        }
        try {
            // Deleted while still locked, so that no other run can lock this file and then lose it.
            Files.deleteIfExists(file);
        } catch (IOException e) {
            // A lock file left behind is harmless: the next run locks it again.
        }
        try {
            lock.release();
            channel.close();
        } catch (IOException e) {
            // The lock goes with the process anyway.
        }
        channel = null;
        lock = null;
        removeEmpty(created);
        Interruption.forget(this);
    }

    /** Deletes the folders in {@code deepestFirst} while they are empty. */
    private static void removeEmpty(List<Path> deepestFirst) {
        for (Path folder : deepestFirst) {
            try {
                Files.deleteIfExists(folder);
            } catch (DirectoryNotEmptyException e) {
                return; // outputs were written, or someone else uses it: keep it and its parents
            } catch (IOException e) {
                // never created (a name too long, say): go on with its parents
            }
        }
    }

    private static Object fileKey(Path file) throws IOException {
        try {
            return Files.readAttributes(file, BasicFileAttributes.class).fileKey();
        } catch (NoSuchFileException e) {
            return null;
        }
    }

    /** " (process N, started T)" as the holder wrote it, or "" if it cannot be read. */
    private static String holder(FileChannel channel) {
        try {
            ByteBuffer bytes = ByteBuffer.allocate(200);
            channel.read(bytes, 0);
            String text = new String(bytes.array(), 0, bytes.position(), StandardCharsets.UTF_8).strip();
            return text.isEmpty() || text.contains("\n") ? "" : " (" + text + ")";
        } catch (IOException e) {
            return "";
        }
    }

    @Override
    public String toString() {
        return "lock on " + folder + " since " + acquired;
    }
}
