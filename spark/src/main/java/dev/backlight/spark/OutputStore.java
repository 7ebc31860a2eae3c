package dev.backlight.spark;

import dev.backlight.api.BacklightException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;

/**
 * Where a task writes its maps: below the output folder, each file complete or absent. Every file
 * is written under a hidden temporary name in its final folder and renamed into place, replacing
 * any file of that name; the contents depend only on the input and the settings, so a retried task
 * or a speculative copy that writes the same name writes the same bytes, whichever rename comes last.
 * Hidden names (a leading dot) are skipped by Spark's and Hadoop's readers.
 *
 * <p>One store per task; not thread-safe.
 */
abstract class OutputStore implements AutoCloseable {
    /** Writes one file's complete content to a local file (atomically or not; the store takes care). */
    @FunctionalInterface
    interface LocalWriter {
        void writeTo(Path file);
    }

    private final String folder;

    private OutputStore(String folder) {
        this.folder = folder.endsWith("/") ? folder.substring(0, folder.length() - 1) : folder;
    }

    /**
     * The store for {@code folder}: a local path or {@code file:} URI is written with Java's file
     * API (atomic renames; a shared mount on a cluster); any other URI ({@code hdfs://},
     * {@code s3a://}, ...) through Hadoop's file system.
     *
     * @param hadoop the application's Hadoop configuration; needed for other file systems only
     */
    static OutputStore open(String folder, Configuration hadoop, long taskAttempt) {
        String scheme = ExecutorWeights.scheme(folder);
        if (scheme == null) {
            return new Local(folder, Path.of(folder));
        }
        if (scheme.equals("file")) {
            return new Local(folder, Path.of(URI.create(folder)));
        }
        if (hadoop == null) {
            throw new IllegalStateException("writing to " + folder + " needs the application's Hadoop configuration");
        }
        return new Hadoop(folder, hadoop, taskAttempt);
    }

    /**
     * Writes the file {@code relative} (names joined by {@code /}) below the folder.
     *
     * @return where it is, as the output folder was given followed by {@code /relative}
     * @throws BacklightException if it cannot be written (the task fails, and Spark retries it)
     */
    final String write(String relative, LocalWriter writer) {
        try {
            store(relative, writer);
        } catch (IOException e) {
            throw new BacklightException("cannot write " + location(relative) + ": " + e, e);
        }
        return location(relative);
    }

    /** Where {@code relative} is, as the output folder was given. */
    final String location(String relative) {
        return folder + "/" + relative;
    }

    abstract void store(String relative, LocalWriter writer) throws IOException;

    @Override
    public void close() {
    }

    /** A local folder (or a shared mount): the library's writers rename atomically themselves. */
    static final class Local extends OutputStore {
        private final Path root;

        Local(String folder, Path root) {
            super(folder);
            this.root = root.toAbsolutePath().normalize();
        }

        @Override
        void store(String relative, LocalWriter writer) throws IOException {
            Path target = root.resolve(relative).normalize();
            if (!target.startsWith(root) || target.equals(root)) {
                throw new IOException(relative + " would lie outside the output folder " + root);
            }
            Files.createDirectories(target.getParent());
            // Npy.write and PngFiles.write (through Explanation) write a hidden temporary file and rename it.
            writer.writeTo(target);
        }
    }

    /**
     * A folder of a Hadoop file system: each file is written locally, copied to a hidden temporary
     * name beside its target and renamed into place.
     */
    static final class Hadoop extends OutputStore {
        private final org.apache.hadoop.fs.Path root;
        private final FileSystem fs;
        private final long taskAttempt;
        private Path scratch;

        Hadoop(String folder, Configuration conf, long taskAttempt) {
            super(folder);
            try {
                this.root = new org.apache.hadoop.fs.Path(folder);
                this.fs = root.getFileSystem(conf);
            } catch (IOException | IllegalArgumentException e) {
                throw new BacklightException("cannot open the output folder " + folder + ": " + e, e);
            }
            this.taskAttempt = taskAttempt;
        }

        @Override
        void store(String relative, LocalWriter writer) throws IOException {
            if (scratch == null) {
                scratch = Files.createTempDirectory("backlight-spark-");
            }
            org.apache.hadoop.fs.Path target = new org.apache.hadoop.fs.Path(root, relative);
            Path local = scratch.resolve("map-" + Long.toHexString(ThreadLocalRandom.current().nextLong() >>> 1));
            org.apache.hadoop.fs.Path temporary = new org.apache.hadoop.fs.Path(target.getParent(), "." + target.getName()
                    + "." + taskAttempt + "-" + Long.toHexString(ThreadLocalRandom.current().nextLong() >>> 1) + ".tmp");
            try {
                writer.writeTo(local);
                fs.mkdirs(target.getParent());
                fs.copyFromLocalFile(true, true, new org.apache.hadoop.fs.Path(local.toUri()), temporary);
                if (!fs.rename(temporary, target)) {
                    // HDFS does not rename over a file: an earlier run, attempt or speculative copy wrote it.
                    // Its bytes are the same unless the settings changed, so replace it either way.
                    fs.delete(target, false);
                    if (!fs.rename(temporary, target) && !fs.exists(target)) {
                        throw new IOException("cannot rename " + temporary + " to " + target);
                    }
                }
            } finally {
                Files.deleteIfExists(local);
                if (fs.exists(temporary)) {
                    fs.delete(temporary, false);
                }
            }
        }

        @Override
        public void close() {
            if (scratch != null) {
                try (Stream<Path> files = Files.walk(scratch)) {
                    files.sorted(Comparator.reverseOrder()).forEach(p -> {
                        try {
                            Files.deleteIfExists(p);
                        } catch (IOException e) {
                            throw new UncheckedIOException(e);
                        }
                    });
                } catch (IOException | UncheckedIOException e) {
                    // A scratch folder left in the temporary folder is harmless.
                }
                scratch = null;
            }
        }
    }
}
