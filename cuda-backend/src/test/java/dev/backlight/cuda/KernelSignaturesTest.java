package dev.backlight.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.backlight.kernels.Kernels;
import java.nio.charset.StandardCharsets;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The argument kinds the CUDA backend passes to each kernel ({@link CudaDevice#KERNEL_SIGNATURES})
 * equal the parameter lists in the CUDA source: a kernel launch cannot check its arguments, so a
 * mismatch would only show as wrong numbers on a GPU.
 */
class KernelSignaturesTest {
    @Test
    void everyLaunchedKernelTakesTheArgumentsWePass() {
        String source = new String(Kernels.source(), StandardCharsets.UTF_8);
        for (String kernel : CudaContext.KERNELS) {
            Matcher m = Pattern.compile("__global__\\s+void\\s+" + kernel + "\\s*\\(([^)]*)\\)").matcher(source);
            assertTrue(m.find(), "kernel " + kernel + " is not in the source");
            StringBuilder kinds = new StringBuilder();
            for (String param : m.group(1).split(",")) {
                String p = param.trim();
                kinds.append(p.contains("*") ? 'p' : p.startsWith("long long") ? 'q' : p.startsWith("int") ? 'i' : '?');
            }
            assertEquals(kinds.toString(), CudaDevice.KERNEL_SIGNATURES.get(kernel), "parameters of " + kernel);
        }
        assertEquals(CudaContext.KERNELS.length, CudaDevice.KERNEL_SIGNATURES.size());
    }
}
