package dev.backlight.cuda;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * The CUDA libraries found on this machine (nothing loaded yet).
 *
 * @param driver {@code libcuda.so.1}, the NVIDIA driver's library
 * @param cudnn {@code libcudnn.so.9} or {@code .so.8}
 * @param cudnnMajor 9, 8, or 0 if none
 * @param cublas {@code libcublas.so.13} or {@code .so.12}
 * @param cublasMajor 13, 12, or 0 if none
 * @param searched the folders looked in, in order
 */
public record CudaLibraries(Optional<Path> driver, Optional<Path> cudnn, int cudnnMajor, Optional<Path> cublas, int cublasMajor,
                            List<Path> searched) {
    public CudaLibraries {
        searched = List.copyOf(searched);
    }

    /** Whether everything the CUDA backend needs was found. */
    public boolean complete() {
        return driver.isPresent() && cudnn.isPresent() && cublas.isPresent();
    }

    /** One line: what was found, or what is missing and how to point Backlight at it. */
    public String describe() {
        if (driver.isEmpty()) {
            return "no NVIDIA driver: libcuda.so.1 not found (looked in " + searched.size() + " folders; install the driver)";
        }
        StringBuilder sb = new StringBuilder("driver " + driver.get());
        sb.append(cudnn.map(p -> "; cuDNN " + cudnnMajor + " " + p).orElse("; cuDNN 8 or 9 not found"));
        sb.append(cublas.map(p -> "; cuBLAS " + cublasMajor + " " + p).orElse("; cuBLAS 12 or 13 not found"));
        if (!complete()) {
            sb.append(" (add their folder to LD_LIBRARY_PATH, or pip install nvidia-cudnn-cu12/nvidia-cublas-cu12 into the active"
                    + " Python environment)");
        }
        return sb.toString();
    }
}
