package dev.backlight.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.backlight.api.backend.BackendDetail;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CudaDetailsTest {
    @Test
    void readsDriverGpusAndLibraryVersionsFromFiles(@TempDir Path root) throws Exception {
        Path proc = Files.createDirectories(root.resolve("proc/driver/nvidia"));
        Files.writeString(proc.resolve("version"),
                "NVRM version: NVIDIA UNIX Open Kernel Module for x86_64  580.82.07  Release Build  (dvs-builder@U16)  Wed Sep 10 2025\n"
                + "GCC version:  gcc version 12.2.0 (Debian 12.2.0-14)\n");
        Path bus = Files.createDirectories(proc.resolve("gpus/0000:19:00.0"));
        Files.writeString(bus.resolve("information"), "Model: \t\t NVIDIA H100 80GB HBM3\nIRQ:   \t\t 123\n");
        Path lib = Files.createDirectories(root.resolve("lib"));
        Files.createFile(lib.resolve("libcudnn.so.9.1.0"));
        Files.createSymbolicLink(lib.resolve("libcudnn.so.9"), lib.resolve("libcudnn.so.9.1.0"));
        Files.createFile(lib.resolve("libcublas.so.13"));
        Files.createFile(lib.resolve("libcuda.so.1"));
        Map<String, String> d = CudaDetails.of(CudaEnvironment.probe(List.of(lib)), proc).stream()
                .collect(Collectors.toMap(BackendDetail::name, BackendDetail::value));
        assertTrue(d.get("driver").startsWith("580.82.07; "), d.get("driver"));
        assertEquals("NVIDIA H100 80GB HBM3 (0000:19:00.0)", d.get("GPU"));
        assertTrue(d.get("cuDNN").startsWith("9.1.0 ("), d.get("cuDNN"));
        assertTrue(d.get("cuBLAS").startsWith("13 ("), d.get("cuBLAS"));
        assertTrue(d.get("JCuda").contains("patched for cuDNN 9 / cuBLAS 13"), d.get("JCuda"));
    }

    @Test
    void saysWhatIsMissing(@TempDir Path root) {
        Map<String, String> d = CudaDetails.of(CudaEnvironment.probe(List.of(root)), root.resolve("none")).stream()
                .collect(Collectors.toMap(BackendDetail::name, BackendDetail::value));
        assertTrue(d.get("driver").contains("no NVIDIA kernel module found"), d.get("driver"));
        assertEquals("none found", d.get("GPU"));
        assertTrue(d.get("cuDNN").startsWith("not found"));
        assertTrue(d.get("cuBLAS").startsWith("not found"));
    }
}
