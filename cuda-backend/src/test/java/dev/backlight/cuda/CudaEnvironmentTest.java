package dev.backlight.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CudaEnvironmentTest {
    private static Path touch(Path dir, String name) throws Exception {
        Files.createDirectories(dir);
        return Files.createFile(dir.resolve(name));
    }

    @Test
    void findsPyTorchWheelLibrariesInTheActiveVirtualEnvironment(@TempDir Path root) throws Exception {
        Path venv = root.resolve("venv");
        Path site = venv.resolve("lib/python3.12/site-packages/nvidia");
        Path cudnn = touch(site.resolve("cudnn/lib"), "libcudnn.so.9");
        touch(site.resolve("cudnn/lib"), "libcudnn_cnn.so.9");
        Path cublas = touch(site.resolve("cu13/lib"), "libcublas.so.13");
        Path driver = touch(root.resolve("driver"), "libcuda.so.1");
        List<Path> folders = CudaEnvironment.searchFolders(
                Map.of("VIRTUAL_ENV", venv.toString(), "LD_LIBRARY_PATH", root.resolve("driver") + ":"), root.resolve("home").toString(), List.of());
        assertEquals(root.resolve("driver"), folders.get(0), "LD_LIBRARY_PATH comes first");
        CudaLibraries found = CudaEnvironment.probe(folders);
        assertTrue(found.complete(), found.describe());
        assertEquals(driver, found.driver().orElseThrow());
        assertEquals(cudnn, found.cudnn().orElseThrow());
        assertEquals(9, found.cudnnMajor());
        assertEquals(cublas, found.cublas().orElseThrow());
        assertEquals(13, found.cublasMajor());
    }

    @Test
    void prefersNewerMajorsAndSaysWhatIsMissing(@TempDir Path root) throws Exception {
        touch(root.resolve("a"), "libcudnn.so.8");
        touch(root.resolve("b"), "libcudnn.so.9");
        touch(root.resolve("a"), "libcublas.so.12");
        CudaLibraries found = CudaEnvironment.probe(List.of(root.resolve("a"), root.resolve("b")));
        assertEquals(9, found.cudnnMajor());
        assertEquals(12, found.cublasMajor());
        assertFalse(found.complete());
        assertTrue(found.describe().contains("libcuda.so.1 not found"), found.describe());
        touch(root.resolve("a"), "libcuda.so.1");
        CudaLibraries none = CudaEnvironment.probe(List.of(root.resolve("a")));
        assertTrue(none.describe().contains("cuDNN 8 "), none.describe());
    }

    @Test
    void readsLdconfigOutput() {
        String text = "1234 libs found in cache `/etc/ld.so.cache'\n"
                + "\tlibcudnn.so.9 (libc6,x86-64) => /usr/lib/x86_64-linux-gnu/libcudnn.so.9\n"
                + "\tlibcuda.so.1 (libc6,x86-64) => /usr/lib/wsl/lib/libcuda.so.1\n"
                + "\tlibz.so.1 (libc6,x86-64) => /lib/x86_64-linux-gnu/libz.so.1\n";
        assertEquals(List.of(Path.of("/usr/lib/x86_64-linux-gnu"), Path.of("/usr/lib/wsl/lib")), CudaEnvironment.parseLdconfig(text));
    }

    @Test
    void probingThisMachineNeverThrows() {
        CudaLibraries here = CudaEnvironment.probe();
        assertFalse(here.describe().isBlank());
    }
}
