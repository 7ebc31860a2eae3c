package dev.backlight.cuda;

import jcuda.driver.CUresult;
import jcuda.jcublas.cublasStatus;
import jcuda.jcudnn.JCudnn;

/**
 * Checks every status code of the driver, cuDNN and cuBLAS in one place, whatever JCuda's global
 * exception flags say. Out-of-memory becomes {@link DeviceOutOfMemoryException} (the model splits
 * its batch on it); everything else {@link CudaException}.
 *
 * <p>cuDNN 9 renumbered its status codes, so the JCudnn 11.7 constant names would be wrong for it:
 * the name comes from the loaded library's own {@code cudnnGetErrorString}.
 */
final class CudaStatus {
    private CudaStatus() {
    }

    static void driver(int result, String operation) {
        if (result == CUresult.CUDA_SUCCESS) {
            return;
        }
        String name = CUresult.stringFor(result);
        if (result == CUresult.CUDA_ERROR_OUT_OF_MEMORY) {
            throw new DeviceOutOfMemoryException(operation + " failed: " + name, 0);
        }
        throw new CudaException(operation + " failed: " + name + " (" + result + ")", result);
    }

    static void cudnn(int status, String operation) {
        if (status == 0) {
            return;
        }
        String name = JCudnn.cudnnGetErrorString(status);
        if (name != null && name.contains("ALLOC")) {
            throw new DeviceOutOfMemoryException(operation + " failed: " + name, 0);
        }
        throw new CudaException(operation + " failed: " + name + " (cuDNN status " + status + ")", status);
    }

    static void cublas(int status, String operation) {
        if (status == cublasStatus.CUBLAS_STATUS_SUCCESS) {
            return;
        }
        String name = cublasStatus.stringFor(status);
        if (status == cublasStatus.CUBLAS_STATUS_ALLOC_FAILED) {
            throw new DeviceOutOfMemoryException(operation + " failed: " + name, 0);
        }
        throw new CudaException(operation + " failed: " + name + " (" + status + ")", status);
    }
}
