package dev.backlight.cuda;

import static jcuda.driver.JCudaDriver.cuCtxSetCurrent;
import static jcuda.driver.JCudaDriver.cuDeviceGet;
import static jcuda.driver.JCudaDriver.cuDeviceGetName;
import static jcuda.driver.JCudaDriver.cuDevicePrimaryCtxRelease;
import static jcuda.driver.JCudaDriver.cuDevicePrimaryCtxRetain;
import static jcuda.driver.JCudaDriver.cuDriverGetVersion;
import static jcuda.driver.JCudaDriver.cuInit;
import static jcuda.driver.JCudaDriver.cuMemAlloc;
import static jcuda.driver.JCudaDriver.cuMemFree;
import static jcuda.driver.JCudaDriver.cuMemGetInfo;
import static jcuda.driver.JCudaDriver.cuModuleGetFunction;
import static jcuda.driver.JCudaDriver.cuModuleLoadData;
import static jcuda.driver.JCudaDriver.cuModuleUnload;

import dev.backlight.kernels.Kernels;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import jcuda.driver.CUcontext;
import jcuda.driver.CUdevice;
import jcuda.driver.CUdeviceptr;
import jcuda.driver.CUfunction;
import jcuda.driver.CUmodule;
import jcuda.driver.CUresult;
import jcuda.jcudnn.JCudnn;

/**
 * One GPU for one {@link CudaBackend}, with that backend's {@link CudaSettings}: the device's
 * primary context (retained, so that cuDNN and cuBLAS, which use the runtime API, see the same
 * context and pointers; two backends on one GPU share it, each retaining it), our kernels loaded
 * once per backend, the memory ledger and the convolution {@link AlgorithmCache}. Nothing here is
 * static: backends on different GPUs, or with different settings, share no state. Models get a
 * {@link CudaDevice} each ({@link #open()}).
 *
 * <p>Thread-safe: allocation and freeing go through the driver, which is; every call makes the
 * context current on the calling thread first.
 */
final class CudaContext implements DeviceSource {
    /** The kernels this backend launches; all must be in the module. */
    static final String[] KERNELS = {"bn_relu_forward", "bn_relu_backward", "maxpool_forward", "maxpool_backward",
        "avgpool_forward", "avgpool_backward", "global_avgpool_forward", "global_avgpool_backward", "slice_add"};

    private final CUdevice device = new CUdevice();
    private final CUcontext context = new CUcontext();
    private final CUmodule module = new CUmodule();
    private final Map<String, CUfunction> functions = new HashMap<>();
    private final MemoryLedger ledger = new MemoryLedger();
    private final AlgorithmCache algorithms = new AlgorithmCache();
    private final CudaSettings settings;
    private final String description;
    private boolean closed;

    private CudaContext(CudaSettings settings) {
        this.settings = settings;
        int ordinal = settings.device();
        CudaStatus.driver(cuInit(0), "cuInit");
        CudaStatus.driver(cuDeviceGet(device, ordinal), "cuDeviceGet(" + ordinal + ")");
        CudaStatus.driver(cuDevicePrimaryCtxRetain(context, device), "cuDevicePrimaryCtxRetain");
        try {
            makeCurrent();
            String kernels = loadKernels();
            for (String name : KERNELS) {
                CUfunction f = new CUfunction();
                CudaStatus.driver(cuModuleGetFunction(f, module, name), "cuModuleGetFunction(" + name + ")");
                functions.put(name, f);
            }
            byte[] name = new byte[256];
            CudaStatus.driver(cuDeviceGetName(name, name.length, device), "cuDeviceGetName");
            int[] driverVersion = new int[1];
            CudaStatus.driver(cuDriverGetVersion(driverVersion), "cuDriverGetVersion");
            this.description = cString(name) + " (GPU " + ordinal + "), CUDA driver API " + driverVersion[0] / 1000 + "."
                    + driverVersion[0] % 1000 / 10 + ", cuDNN " + JCudnn.cudnnGetVersion() + ", kernels from " + kernels
                    + ", math " + settings.math().label() + ", algorithms by " + settings.algorithms().id();
        } catch (RuntimeException | LinkageError e) {
            cuDevicePrimaryCtxRelease(device);
            throw e;
        }
    }

    /** Loads the natives and opens the GPU the settings name. */
    static CudaContext open(CudaSettings settings) {
        CudaNativeLoader.load();
        return new CudaContext(settings);
    }

    /** Loads the fatbin (SASS for our architectures), else the portable PTX; returns which. */
    private String loadKernels() {
        byte[] fatbin = Kernels.fatbin().orElseThrow(() -> new IllegalStateException("kernels not built into this jar"));
        int result = cuModuleLoadData(module, fatbin);
        if (result == CUresult.CUDA_SUCCESS) {
            return "fatbin";
        }
        int ptxResult = cuModuleLoadData(module, Kernels.ptx().orElseThrow());
        if (ptxResult == CUresult.CUDA_SUCCESS) {
            return "PTX (ISA 7.0, JIT; fatbin: " + CUresult.stringFor(result) + ")";
        }
        throw new CudaException("loading the kernels failed: fatbin " + CUresult.stringFor(result) + ", PTX "
                + CUresult.stringFor(ptxResult), ptxResult);
    }

    private static String cString(byte[] bytes) {
        int n = 0;
        while (n < bytes.length && bytes[n] != 0) {
            n++;
        }
        return new String(bytes, 0, n, StandardCharsets.US_ASCII);
    }

    void makeCurrent() {
        CudaStatus.driver(cuCtxSetCurrent(context), "cuCtxSetCurrent");
    }

    CUfunction function(String name) {
        return functions.get(name);
    }

    CudaSettings settings() {
        return settings;
    }

    @Override
    public AlgorithmCache algorithms() {
        return algorithms;
    }

    @Override
    public Device open() {
        makeCurrent();
        return new CudaDevice(this);
    }

    @Override
    public MemoryLedger ledger() {
        return ledger;
    }

    @Override
    public String describe() {
        return description;
    }

    long freeBytes() {
        makeCurrent();
        long[] free = new long[1];
        long[] total = new long[1];
        CudaStatus.driver(cuMemGetInfo(free, total), "cuMemGetInfo");
        return free[0];
    }

    long allocate(long bytes, String label) {
        makeCurrent();
        DeviceAddress p = new DeviceAddress();
        int result = cuMemAlloc(p, bytes);
        if (result == CUresult.CUDA_ERROR_OUT_OF_MEMORY) {
            throw new DeviceOutOfMemoryException("out of device memory: " + label + " needs " + MemoryLedger.mib(bytes)
                    + "; this backend holds " + MemoryLedger.mib(ledger.heldBytes()) + ", the device has "
                    + MemoryLedger.mib(freeBytes()) + " free", bytes);
        }
        CudaStatus.driver(result, "cuMemAlloc(" + bytes + " bytes for " + label + ")");
        ledger.recordAllocation(p.address(), bytes, label);
        return p.address();
    }

    void free(long address) {
        ledger.recordFree(address);
        freeLeaked(address);
    }

    @Override
    public void freeLeaked(long address) {
        makeCurrent();
        CudaStatus.driver(cuMemFree(at(address)), "cuMemFree");
    }

    /** A JCuda pointer to a device address. */
    static CUdeviceptr at(long address) {
        return new CUdeviceptr().withByteOffset(address);
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        makeCurrent();
        int unload = cuModuleUnload(module);
        int release = cuDevicePrimaryCtxRelease(device);
        CudaStatus.driver(unload, "cuModuleUnload");
        CudaStatus.driver(release, "cuDevicePrimaryCtxRelease");
    }

    /** A device pointer whose address can be read back after {@code cuMemAlloc} filled it. */
    private static final class DeviceAddress extends CUdeviceptr {
        long address() {
            return getNativePointer() + getByteOffset();
        }
    }
}
