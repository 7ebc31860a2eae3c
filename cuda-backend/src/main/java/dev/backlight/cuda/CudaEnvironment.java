package dev.backlight.cuda;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * Finds the CUDA driver, cuDNN and cuBLAS on this machine by looking at files only (nothing is
 * loaded, so the probe cannot crash the JVM): the loader path ({@code LD_LIBRARY_PATH}), the
 * ldconfig cache, {@code CUDA_HOME}/{@code CUDA_PATH} and the standard install folders, and the
 * {@code nvidia/*}{@code /lib} folders of Python wheels (PyTorch's CUDA libraries) in the active
 * virtual or conda environment and the usual site-packages folders.
 */
public final class CudaEnvironment {
    private CudaEnvironment() {
    }

    /** Probes this machine. Never throws. */
    public static CudaLibraries probe() {
        return probe(searchFolders(System.getenv(), System.getProperty("user.home", "/root"), ldconfigFolders()));
    }

    /** Finds the libraries in the given folders, earlier folders first. */
    public static CudaLibraries probe(List<Path> folders) {
        Optional<Path> driver = find(folders, "libcuda.so.1");
        Optional<Path> cudnn9 = find(folders, "libcudnn.so.9");
        Optional<Path> cudnn = cudnn9.isPresent() ? cudnn9 : find(folders, "libcudnn.so.8");
        Optional<Path> cublas13 = find(folders, "libcublas.so.13");
        Optional<Path> cublas = cublas13.isPresent() ? cublas13 : find(folders, "libcublas.so.12");
        return new CudaLibraries(driver, cudnn, cudnn.isEmpty() ? 0 : cudnn9.isPresent() ? 9 : 8,
                cublas, cublas.isEmpty() ? 0 : cublas13.isPresent() ? 13 : 12, folders);
    }

    /** The folders to search, in order, for an environment and home folder. */
    static List<Path> searchFolders(Map<String, String> env, String home, List<Path> ldconfig) {
        Set<Path> out = new LinkedHashSet<>();
        for (String var : List.of("LD_LIBRARY_PATH")) {
            String value = env.get(var);
            if (value != null) {
                for (String part : value.split(":")) {
                    if (!part.isBlank()) {
                        out.add(Path.of(part));
                    }
                }
            }
        }
        out.addAll(ldconfig);
        for (String var : List.of("CUDA_HOME", "CUDA_PATH")) {
            String value = env.get(var);
            if (value != null && !value.isBlank()) {
                out.add(Path.of(value, "lib64"));
                out.add(Path.of(value, "targets", "x86_64-linux", "lib"));
            }
        }
        for (String dir : List.of("/usr/local/cuda/lib64", "/usr/local/cuda/targets/x86_64-linux/lib", "/usr/lib/x86_64-linux-gnu",
                "/usr/lib64", "/usr/lib/wsl/lib", "/usr/local/nvidia/lib64")) {
            out.add(Path.of(dir));
        }
        List<Path> sitePackages = new ArrayList<>();
        for (String var : List.of("VIRTUAL_ENV", "CONDA_PREFIX")) {
            String value = env.get(var);
            if (value != null && !value.isBlank()) {
                sitePackages.addAll(glob(Path.of(value, "lib"), "python3*", "site-packages"));
            }
        }
        sitePackages.addAll(glob(Path.of(home, ".local", "lib"), "python3*", "site-packages"));
        sitePackages.addAll(glob(Path.of("/usr/local/lib"), "python3*", "dist-packages"));
        sitePackages.addAll(glob(Path.of("/usr/local/lib"), "python3*", "site-packages"));
        sitePackages.add(Path.of("/usr/lib/python3/dist-packages"));
        sitePackages.addAll(glob(Path.of("/opt/conda/lib"), "python3*", "site-packages"));
        for (Path site : sitePackages) {
            out.addAll(glob(site.resolve("nvidia"), "*", "lib"));
        }
        return new ArrayList<>(out);
    }

    private static List<Path> glob(Path parent, String pattern, String child) {
        List<Path> out = new ArrayList<>();
        if (!Files.isDirectory(parent)) {
            return out;
        }
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(parent, pattern)) {
            for (Path d : dirs) {
                Path c = d.resolve(child);
                if (Files.isDirectory(c)) {
                    out.add(c);
                }
            }
        } catch (IOException | RuntimeException e) {
            // An unreadable folder is simply not searched.
        }
        out.sort(null);
        return out;
    }

    private static Optional<Path> find(List<Path> folders, String name) {
        for (Path f : folders) {
            Path p = f.resolve(name);
            if (Files.exists(p)) {
                return Optional.of(p);
            }
        }
        return Optional.empty();
    }

    /** The folders of the ldconfig cache ({@code ldconfig -p}), or none if it cannot be read. */
    static List<Path> ldconfigFolders() {
        for (String ldconfig : List.of("/sbin/ldconfig", "/usr/sbin/ldconfig")) {
            if (!Files.isExecutable(Path.of(ldconfig))) {
                continue;
            }
            try {
                Process p = new ProcessBuilder(ldconfig, "-p").redirectErrorStream(true).start();
                String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                if (!p.waitFor(5, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                    return List.of();
                }
                return parseLdconfig(text);
            } catch (IOException e) {
                return List.of();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return List.of();
            }
        }
        return List.of();
    }

    /** Folders of the CUDA libraries listed in {@code ldconfig -p} output. */
    static List<Path> parseLdconfig(String text) {
        Set<Path> out = new LinkedHashSet<>();
        for (String line : text.split("\n")) {
            int arrow = line.indexOf("=> ");
            String name = line.trim();
            if (arrow > 0 && (name.startsWith("libcuda.so") || name.startsWith("libcudnn") || name.startsWith("libcublas"))) {
                Path parent = Path.of(line.substring(arrow + 3).trim()).getParent();
                if (parent != null) {
                    out.add(parent);
                }
            }
        }
        return new ArrayList<>(out);
    }
}
