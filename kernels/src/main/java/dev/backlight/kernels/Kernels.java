package dev.backlight.kernels;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Properties;

/**
 * The CUDA kernels of the CUDA backend, as build-time artefacts on the class path: a fatbin (SASS
 * for sm_75/80/86/89/90 and PTX for compute_75), a PTX lowered to ISA 7.0 for older drivers, the
 * CUDA C source, and a manifest ({@code kernels.properties}: kernel names, architectures, nvcc
 * version, source SHA-256).
 *
 * <p>The build compiles them when {@code nvcc} is on the PATH; otherwise {@link #manifest()} is
 * empty and the CUDA backend reports "kernels not built" as its reason for being unavailable.
 * Nothing is compiled at run time.
 */
public final class Kernels {
    private static final String DIR = "/dev/backlight/kernels/";

    private Kernels() {
    }

    /** The manifest of the compiled kernels, or empty if none were built into this jar. */
    public static Optional<Properties> manifest() {
        try (InputStream in = Kernels.class.getResourceAsStream(DIR + "kernels.properties")) {
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

    /** The kernel entry points the manifest lists (empty if not built). */
    public static List<String> names() {
        return manifest().map(p -> Arrays.asList(p.getProperty("kernels", "").split(","))).orElse(List.of());
    }

    /** The fatbin, for {@code cuModuleLoadFatBinary}/{@code cuModuleLoadData}. */
    public static Optional<byte[]> fatbin() {
        return manifest().map(p -> read(p.getProperty("fatbin")));
    }

    /**
     * The portable PTX (ISA 7.0, NUL-terminated as {@code cuModuleLoadData} expects), for drivers
     * that cannot load the fatbin's SASS or its newer PTX.
     */
    public static Optional<byte[]> ptx() {
        return manifest().map(p -> {
            byte[] text = read(p.getProperty("ptx"));
            return Arrays.copyOf(text, text.length + 1);
        });
    }

    /** The CUDA C source the kernels were built from. */
    public static byte[] source() {
        return read("backlight_kernels.cu");
    }

    private static byte[] read(String name) {
        try (InputStream in = Kernels.class.getResourceAsStream(DIR + name)) {
            if (in == null) {
                throw new IllegalStateException("kernel resource " + name + " is missing from the backlight-kernels jar");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read kernel resource " + name, e);
        }
    }
}
