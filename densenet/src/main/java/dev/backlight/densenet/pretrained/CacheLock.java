package dev.backlight.densenet.pretrained;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The weights cache held by one download at a time: an exclusive lock on the hidden file {@value
 * #NAME} in the cache folder, across processes (the operating system's lock, released when the
 * process ends however it ends) and across threads of this process. A process that finds it
 * taken waits. While it is held no other download writes in the folder, so the temporary files
 * found there that are older than the lock were left by downloads that were killed.
 *
 * <p>The lock file stays in the folder: deleting it could let two processes lock two different
 * files of the same name.
 */
final class CacheLock implements AutoCloseable {
    /** The lock file's name in the cache folder. */
    static final String NAME = ".backlight-cache.lock";
    /** FileChannel locks belong to the process; this keeps two threads of it apart. */
    private static final ReentrantLock IN_PROCESS = new ReentrantLock();

    private final FileChannel channel;
    private final FileLock lock;
    private final Instant acquired;

    private CacheLock(FileChannel channel, FileLock lock, Instant acquired) {
        this.channel = channel;
        this.lock = lock;
        this.acquired = acquired;
    }

    /**
     * Locks {@code folder} (which must exist), waiting while another process or thread holds it.
     *
     * @param whileWaiting told once, before waiting, if the lock is taken
     * @throws IOException if the lock file cannot be created or locked
     */
    static CacheLock acquire(Path folder, Runnable whileWaiting) throws IOException {
        boolean told = false;
        if (!IN_PROCESS.tryLock()) {
            whileWaiting.run();
            told = true;
            IN_PROCESS.lock();
        }
        try {
            FileChannel channel = FileChannel.open(folder.resolve(NAME), StandardOpenOption.CREATE,
                    StandardOpenOption.WRITE);
            try {
                FileLock lock = tryLock(channel);
                if (lock == null) {
                    if (!told) {
                        whileWaiting.run();
                    }
                    lock = channel.lock();
                }
                return new CacheLock(channel, lock, Instant.now().truncatedTo(ChronoUnit.MILLIS));
            } catch (IOException | RuntimeException e) {
                channel.close();
                throw e;
            }
        } catch (IOException | RuntimeException e) {
            IN_PROCESS.unlock();
            throw e;
        }
    }

    private static FileLock tryLock(FileChannel channel) throws IOException {
        try {
            return channel.tryLock();
        } catch (OverlappingFileLockException e) {
            return null;
        }
    }

    /** When the lock was taken: temporary files older than this belong to no live download. */
    Instant acquired() {
        return acquired;
    }

    /** Whether {@code file} was last modified before the lock was taken. */
    boolean olderThanLock(Path file) throws IOException {
        return Files.getLastModifiedTime(file).toInstant().isBefore(acquired);
    }

    @Override
    public void close() throws IOException {
        try {
            lock.release();
            channel.close();
        } finally {
            IN_PROCESS.unlock();
        }
    }
}
