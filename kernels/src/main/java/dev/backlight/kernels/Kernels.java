package dev.backlight.kernels;

import java.io.IOException;
import java.io.InputStream;
import java.util.Optional;
import java.util.Properties;

/**
 * The CUDA kernels of the CUDA backend, as build-time artefacts on the class path: a fatbin and a
 * manifest ({@code kernels.properties}: kernel names, architectures, nvcc version, source hash).
 *
 * <p>This build ships no compiled kernels yet; {@link #manifest()} is then empty and the CUDA
 * backend reports "kernels not built" as its reason for being unavailable.
 */
public final class Kernels {
    private static final String MANIFEST = "/dev/backlight/kernels/kernels.properties";

    private Kernels() {
    }

    /** The manifest of the compiled kernels, or empty if none were built into this jar. */
    public static Optional<Properties> manifest() {
        try (InputStream in = Kernels.class.getResourceAsStream(MANIFEST)) {
            if (in == null) {
                return Optional.empty();
            }
            Properties p = new Properties();
            p.load(in);
            return Optional.of(p);
        } catch (IOException e) {
            return Optional.empty();
        }
    }
}
