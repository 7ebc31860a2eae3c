package dev.backlight.cuda.natives;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Prepares the JCuda native libraries that match the CUDA libraries found on a machine.
 *
 * <p>JCuda 12.6 looks up {@code libJCudaDriver-12.6.0-linux-x86_64.so},
 * {@code libJCublas2-12.6.0-linux-x86_64.so} and {@code libJCudnn-12.6.0-linux-x86_64.so}. The
 * first two come with jcuda 12.6 (linked against {@code libcuda.so.1} and {@code libcublas.so.12});
 * no jcudnn 12.x native was ever published, so the third is jcudnn 11.7's native (JNI-compatible,
 * linked against {@code libcudnn.so.8}) under the 12.6.0 name. For cuDNN 9 and cuBLAS 13 the
 * dependency names are patched in place ({@link ElfDependencies#rename}). Inputs are the natives
 * jars' bytes, pinned by SHA-256: a changed input is refused rather than patched blindly.
 */
public final class JCudaNatives {
    /** The library names JCuda 12.6 loads, as file names. */
    public static final String DRIVER = "libJCudaDriver-12.6.0-linux-x86_64.so";
    public static final String CUBLAS = "libJCublas2-12.6.0-linux-x86_64.so";
    public static final String CUDNN = "libJCudnn-12.6.0-linux-x86_64.so";

    private static final Map<String, String> SOURCES = Map.of(
            DRIVER, "/lib/libJCudaDriver-12.6.0-linux-x86_64.so",
            CUBLAS, "/lib/libJCublas2-12.6.0-linux-x86_64.so",
            CUDNN, "/lib/libJCudnn-11.7.0-linux-x86_64.so");
    private static final Map<String, String> PINNED_SHA256 = Map.of(
            DRIVER, "fdc3b4b4fca4f0fab54ff12c0b4d6ad1c5e8d55015b4950834c705e5db301255",
            CUBLAS, "990b2129e540a7f93d0776799d48659dc85e4f7f5bfb6473d0c8369ef8126c32",
            CUDNN, "a00257a9d05327b594fecbf9caf6e3a121bb9854f4412f91439002077595b12d");

    private JCudaNatives() {
    }

    /**
     * The natives for a machine with the given cuDNN and cuBLAS major versions, by file name.
     *
     * @param cudnnMajor 8 or 9
     * @param cublasMajor 12 or 13
     */
    public static Map<String, byte[]> variant(int cudnnMajor, int cublasMajor) {
        if (cudnnMajor != 8 && cudnnMajor != 9) {
            throw new IllegalArgumentException("cuDNN " + cudnnMajor + " is not supported (8 or 9)");
        }
        if (cublasMajor != 12 && cublasMajor != 13) {
            throw new IllegalArgumentException("cuBLAS " + cublasMajor + " is not supported (12 or 13)");
        }
        Map<String, byte[]> out = new LinkedHashMap<>();
        out.put(DRIVER, pinned(DRIVER));
        byte[] cublas = pinned(CUBLAS);
        if (cublasMajor == 13) {
            ElfDependencies.of(cublas).rename("libcublas.so.12", "libcublas.so.13");
        }
        out.put(CUBLAS, cublas);
        byte[] cudnn = pinned(CUDNN);
        if (cudnnMajor == 9) {
            ElfDependencies.of(cudnn).rename("libcudnn.so.8", "libcudnn.so.9");
        }
        out.put(CUDNN, cudnn);
        return out;
    }

    /**
     * Writes {@link #variant} into {@code dir} (created if needed), each file atomically, and
     * returns their paths. Existing identical files are kept.
     */
    public static Map<String, Path> prepare(Path dir, int cudnnMajor, int cublasMajor) {
        try {
            Files.createDirectories(dir);
            Map<String, Path> out = new LinkedHashMap<>();
            for (Map.Entry<String, byte[]> e : variant(cudnnMajor, cublasMajor).entrySet()) {
                Path target = dir.resolve(e.getKey());
                if (!Files.exists(target) || !sha256(Files.readAllBytes(target)).equals(sha256(e.getValue()))) {
                    Path tmp = Files.createTempFile(dir, ".native", ".tmp");
                    Files.write(tmp, e.getValue());
                    Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
                }
                out.put(e.getKey(), target);
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the JCuda natives to " + dir, e);
        }
    }

    /** The bytes of a native as published, checked against its pinned SHA-256. */
    static byte[] pinned(String name) {
        String resource = SOURCES.get(name);
        byte[] bytes;
        try (InputStream in = JCudaNatives.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException(resource + " is not on the class path: the org.jcuda natives jars"
                        + " (linux-x86_64) must be there");
            }
            bytes = in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + resource, e);
        }
        String sha = sha256(bytes);
        if (!sha.equals(PINNED_SHA256.get(name))) {
            throw new IllegalStateException(resource + " has SHA-256 " + sha + ", not the pinned "
                    + PINNED_SHA256.get(name) + ": a different JCuda natives jar is on the class path");
        }
        return bytes;
    }

    static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
