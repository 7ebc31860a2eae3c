package dev.backlight.spark;

import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.spark.SparkFiles;

/**
 * Finds on an executor the weights a {@link BacklightExplainer} names, as a local file (or seeded
 * random weights), without downloading from the internet and without a broadcast:
 *
 * <ul>
 *   <li>{@code random} or {@code random:SEED}: seeded random weights;
 *   <li>a bare file name that {@code spark-submit --files} shipped: {@code SparkFiles.get(name)};
 *   <li>a local path, or a {@code file:} URI: a file every executor can read (a shared mount; on YARN
 *       a relative name also finds a file that {@code --files} placed in the container's folder);
 *   <li>any other URI ({@code hdfs://}, {@code s3a://}, {@code abfs://}, ...): read through Hadoop's
 *       file system with the application's Hadoop configuration, copied once per executor JVM into a
 *       local cache and used from there.
 * </ul>
 *
 * <p>A local file's identity includes its size and modification time, so a file replaced between
 * jobs is loaded again rather than served stale.
 */
final class ExecutorWeights {
    private static final Pattern RANDOM = Pattern.compile("random(?::\\s*(-?\\d+))?");
    private static final Pattern SCHEME = Pattern.compile("([a-zA-Z][a-zA-Z0-9+.-]*):.*");
    private static final Object COPY_LOCK = new Object();

    /**
     * Weights found: random ({@code file} null) or a local file.
     *
     * @param identity what the model key compares: {@code random:SEED}, or the file with size and time
     * @param file the local file, or null
     * @param seed the random seed when {@code file} is null
     */
    record Resolved(String identity, Path file, long seed) {
    }

    private ExecutorWeights() {
    }

    /** Whether {@code spec} names seeded random weights. */
    static boolean isRandom(String spec) {
        return RANDOM.matcher(spec.trim()).matches();
    }

    /** Whether {@code spec} is a URI that only Hadoop's file systems can read (not random, local or {@code file:}). */
    static boolean needsHadoop(String spec) {
        String scheme = scheme(spec);
        return !isRandom(spec) && scheme != null && !scheme.equals("file");
    }

    /**
     * Resolves {@code spec} on this JVM.
     *
     * @param hadoop the application's Hadoop configuration, needed only for URIs of other file systems
     * @throws ExecutorWeightsException if the weights cannot be found or fetched here
     */
    static Resolved resolve(String spec, Configuration hadoop) {
        String s = spec.trim();
        Matcher random = RANDOM.matcher(s);
        if (random.matches()) {
            long seed = random.group(1) == null ? 0 : Long.parseLong(random.group(1));
            return new Resolved("random:" + seed, null, seed);
        }
        String scheme = scheme(s);
        if (scheme == null) {
            return local(shippedOrPath(s), spec);
        }
        if (scheme.equals("file")) {
            try {
                return local(Path.of(new URI(s)), spec);
            } catch (URISyntaxException | IllegalArgumentException e) {
                throw new ExecutorWeightsException("weights " + spec + " is not a valid file: URI (" + e.getMessage()
                        + "); give a path such as /data/densenet201.safetensors", e);
            }
        }
        return fetched(s, hadoop);
    }

    /** A file shipped with {@code --files} when {@code name} is a bare file name that was, else the path itself. */
    private static Path shippedOrPath(String name) {
        if (!name.contains("/")) {
            try {
                Path shipped = Path.of(SparkFiles.get(name));
                if (Files.isRegularFile(shipped)) {
                    return shipped;
                }
            } catch (RuntimeException e) {
                // No SparkEnv (not inside Spark) or no files root yet: the name is a path.
            }
        }
        return Path.of(name);
    }

    private static Resolved local(Path file, String spec) {
        try {
            BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class);
            if (!a.isRegularFile()) {
                throw new ExecutorWeightsException("weights " + spec + " is not a regular file on executor " + host());
            }
            Path absolute = file.toAbsolutePath().normalize();
            return new Resolved(absolute + " (" + a.size() + " bytes, modified " + a.lastModifiedTime() + ")", absolute, 0);
        } catch (IOException e) {
            throw new ExecutorWeightsException("weights " + spec + " cannot be found on executor " + host() + " (" + e
                    + "): ship the file with spark-submit --files FILE and name it by its file name, put it on a path"
                    + " every executor can read, or give a URI of a shared file system (hdfs://..., s3a://...)", e);
        }
    }

    /** A copy in this JVM's cache of a file on another file system, made once per file version. */
    static Resolved fetched(String uri, Configuration hadoop) {
        if (hadoop == null) {
            throw new IllegalStateException("reading weights from " + uri + " needs the application's Hadoop configuration");
        }
        try {
            org.apache.hadoop.fs.Path remote = new org.apache.hadoop.fs.Path(uri);
            FileSystem fs = remote.getFileSystem(hadoop);
            FileStatus status = fs.getFileStatus(remote);
            if (!status.isFile()) {
                throw new ExecutorWeightsException("weights " + uri + " is not a file");
            }
            String version = uri + "|" + status.getLen() + "|" + status.getModificationTime();
            Path cache = cacheFolder().resolve(sha256(version).substring(0, 16) + "-" + safeName(remote.getName()));
            synchronized (COPY_LOCK) {
                if (!Files.isRegularFile(cache) || Files.size(cache) != status.getLen()) {
                    Path partial = cache.resolveSibling("." + cache.getFileName() + "."
                            + Long.toHexString(ThreadLocalRandom.current().nextLong() >>> 1) + ".tmp");
                    try {
                        fs.copyToLocalFile(false, remote, new org.apache.hadoop.fs.Path(partial.toUri()), true);
                        move(partial, cache);
                    } finally {
                        Files.deleteIfExists(partial);
                    }
                }
            }
            return new Resolved(version, cache, 0);
        } catch (IOException | IllegalArgumentException e) {
            throw new ExecutorWeightsException("weights " + uri + " cannot be read on executor " + host() + ": " + e
                    + "; check the URI and that the executors may read it (the application's Hadoop configuration"
                    + " is used)", e);
        }
    }

    private static void move(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    /** Inside Spark's per-application folder where there is one (deleted with the application), else the temporary folder. */
    private static Path cacheFolder() throws IOException {
        Path root;
        try {
            root = Path.of(SparkFiles.getRootDirectory());
        } catch (RuntimeException e) {
            root = Path.of(System.getProperty("java.io.tmpdir"));
        }
        return Files.createDirectories(root.resolve("backlight-weights"));
    }

    /** The URI scheme of {@code spec}, lower case, or null for a plain path. */
    static String scheme(String spec) {
        Matcher m = SCHEME.matcher(spec.trim());
        // One letter before the colon is a Windows drive, not a scheme.
        return m.matches() && m.group(1).length() > 1 ? m.group(1).toLowerCase(Locale.ROOT) : null;
    }

    private static String safeName(String name) {
        String safe = name.replaceAll("[^A-Za-z0-9._-]", "_");
        return safe.isEmpty() || safe.startsWith(".") ? "weights" + safe : safe;
    }

    private static String sha256(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }

    private static String host() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            return "(unknown host)";
        }
    }
}
