package dev.backlight.cuda;

import dev.backlight.api.backend.BackendDetail;
import dev.backlight.kernels.Kernels;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What {@code backlight info} shows about CUDA on this machine, read from files only (nothing is
 * loaded): the kernels built into this jar, the driver version and GPUs (from
 * {@code /proc/driver/nvidia}), and the cuDNN and cuBLAS libraries with their versions (from the
 * versioned file names their SONAME links point to).
 */
final class CudaDetails {
    private static final Pattern DRIVER_VERSION = Pattern.compile("Kernel Module\\s+(?:for \\S+\\s+)?([0-9]+(?:\\.[0-9]+)+)");

    private CudaDetails() {
    }

    static List<BackendDetail> of(CudaLibraries libs, Path procNvidia) {
        List<BackendDetail> out = new ArrayList<>();
        out.add(new BackendDetail("kernels", Kernels.manifest().map(CudaDetails::kernels).orElse("not built (nvcc was not on the PATH at build time)")));
        out.add(new BackendDetail("driver", driver(procNvidia).orElse("no NVIDIA kernel module found (" + procNvidia + "/version)")
                + libs.driver().map(p -> "; " + p).orElse("; libcuda.so.1 not found")));
        List<String> gpus = gpus(procNvidia);
        out.add(new BackendDetail("GPU", gpus.isEmpty() ? "none found" : String.join(", ", gpus)));
        out.add(new BackendDetail("cuDNN", libs.cudnn().map(p -> version(p, "libcudnn.so.") + " (" + p + ")").orElse("not found (8 or 9 needed)")));
        out.add(new BackendDetail("cuBLAS", libs.cublas().map(p -> version(p, "libcublas.so.") + " (" + p + ")").orElse("not found (12 or 13 needed)")));
        out.add(new BackendDetail("JCuda", "jcuda 12.6.0 with jcudnn 11.7.0's native"
                + (libs.cudnnMajor() == 9 || libs.cublasMajor() == 13 ? ", patched for cuDNN " + libs.cudnnMajor() + " / cuBLAS " + libs.cublasMajor() : "")));
        return out;
    }

    private static String kernels(Properties p) {
        return p.getProperty("kernels", "").split(",").length + " kernels, SASS sm_" + p.getProperty("sass.archs", "?").replace(" ", "/")
                + ", PTX compute_" + p.getProperty("ptx.arch", "?") + " (ISA " + p.getProperty("ptx.isa", "?") + "), " + p.getProperty("nvcc", "nvcc ?");
    }

    /** The driver version in {@code /proc/driver/nvidia/version}, if any. */
    static Optional<String> driver(Path procNvidia) {
        try {
            Matcher m = DRIVER_VERSION.matcher(Files.readString(procNvidia.resolve("version")));
            return m.find() ? Optional.of(m.group(1)) : Optional.empty();
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    /** The GPU models listed under {@code /proc/driver/nvidia/gpus/<bus id>/information}. */
    static List<String> gpus(Path procNvidia) {
        List<String> out = new ArrayList<>();
        Path dir = procNvidia.resolve("gpus");
        if (!Files.isDirectory(dir)) {
            return out;
        }
        try (DirectoryStream<Path> buses = Files.newDirectoryStream(dir)) {
            for (Path bus : buses) {
                for (String line : Files.readAllLines(bus.resolve("information"))) {
                    if (line.startsWith("Model:")) {
                        out.add(line.substring("Model:".length()).trim() + " (" + bus.getFileName() + ")");
                    }
                }
            }
        } catch (IOException | RuntimeException e) {
            // Reported as none found.
        }
        out.sort(null);
        return out;
    }

    /**
     * The full version of a library from the file its SONAME link points to
     * ({@code libcudnn.so.9 -> libcudnn.so.9.1.0} gives 9.1.0); the SONAME's major if it is no link.
     */
    static String version(Path library, String prefix) {
        try {
            String real = library.toRealPath().getFileName().toString();
            if (real.startsWith(prefix) && real.length() > prefix.length()) {
                return real.substring(prefix.length());
            }
        } catch (IOException e) {
            // Fall back to the SONAME.
        }
        String name = library.getFileName().toString();
        return name.startsWith(prefix) ? name.substring(prefix.length()) : name;
    }
}
