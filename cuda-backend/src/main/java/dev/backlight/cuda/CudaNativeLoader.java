package dev.backlight.cuda;

import dev.backlight.api.BackendUnavailableException;
import dev.backlight.cuda.natives.JCudaNatives;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Loads the CUDA libraries and the matching JCuda natives, with no JVM flags and no
 * {@code LD_LIBRARY_PATH} from the user.
 *
 * <ol>
 *   <li>The CUDA libraries found by {@link CudaEnvironment} are loaded by absolute path, their
 *       sub-libraries first (cuDNN 9 opens {@code libcudnn_graph/ops/cnn/...} by name, cuBLAS opens
 *       {@code libcublasLt}), so the dynamic loader resolves every dependency by SONAME from what
 *       is already loaded.
 *   <li>The JCuda natives for those majors ({@link JCudaNatives}) are written where JCuda's own
 *       loader looks before it extracts a native from its jar: {@code ${java.io.tmpdir}/<name>}.
 *       JCuda loads an existing file there as it is, so it loads ours.
 * </ol>
 *
 * <p>Runs once per JVM. Native loading cannot be undone; a failure is remembered and reported as
 * the reason the backend is unavailable.
 */
final class CudaNativeLoader {
    private static Throwable failure;
    private static boolean loaded;

    private CudaNativeLoader() {
    }

    /**
     * Loads everything, or throws {@link BackendUnavailableException} with the reason.
     *
     * @return the libraries that were loaded
     */
    static synchronized CudaLibraries load() {
        CudaLibraries libs = CudaEnvironment.probe();
        if (loaded) {
            return libs;
        }
        if (failure != null) {
            throw new BackendUnavailableException("the CUDA libraries could not be loaded earlier in this JVM: " + failure, failure);
        }
        if (!libs.complete()) {
            throw new BackendUnavailableException(libs.describe());
        }
        try {
            for (Path p : loadOrder(libs)) {
                System.load(p.toString());
            }
            JCudaNatives.prepare(Path.of(System.getProperty("java.io.tmpdir")), libs.cudnnMajor(), libs.cublasMajor());
            loaded = true;
            return libs;
        } catch (RuntimeException | LinkageError e) {
            failure = e;
            throw new BackendUnavailableException("loading the CUDA libraries failed (" + libs.describe() + "): " + e, e);
        }
    }

    /** The order to load in: the driver, cuBLAS Lt then cuBLAS, cuDNN's sub-libraries then cuDNN. */
    static List<Path> loadOrder(CudaLibraries libs) {
        List<Path> order = new ArrayList<>();
        order.add(libs.driver().orElseThrow());
        Path cublas = libs.cublas().orElseThrow();
        Path lt = cublas.resolveSibling("libcublasLt.so." + libs.cublasMajor());
        if (Files.exists(lt)) {
            order.add(lt);
        }
        order.add(cublas);
        Path cudnn = libs.cudnn().orElseThrow();
        order.addAll(cudnnSubLibraries(cudnn.getParent(), libs.cudnnMajor()));
        order.add(cudnn);
        return order;
    }

    /**
     * cuDNN's sub-libraries in dependency order: graph (the handle and descriptors), then ops,
     * cnn, adv, and the engine and heuristic libraries of cuDNN 9.
     */
    static List<Path> cudnnSubLibraries(Path dir, int major) {
        List<Path> out = new ArrayList<>();
        String suffix = ".so." + major;
        List<String> first = major >= 9
                ? List.of("libcudnn_graph", "libcudnn_engines_runtime_compiled", "libcudnn_engines_precompiled", "libcudnn_heuristic",
                        "libcudnn_ops", "libcudnn_cnn", "libcudnn_adv")
                : List.of("libcudnn_ops_infer", "libcudnn_ops_train", "libcudnn_cnn_infer", "libcudnn_cnn_train", "libcudnn_adv_infer",
                        "libcudnn_adv_train");
        for (String name : first) {
            Path p = dir.resolve(name + suffix);
            if (Files.exists(p)) {
                out.add(p);
            }
        }
        try (DirectoryStream<Path> rest = Files.newDirectoryStream(dir, "libcudnn_*" + suffix)) {
            for (Path p : rest) {
                if (!out.contains(p)) {
                    out.add(p);
                }
            }
        } catch (IOException e) {
            // Only the listed sub-libraries are preloaded.
        }
        return out;
    }
}
