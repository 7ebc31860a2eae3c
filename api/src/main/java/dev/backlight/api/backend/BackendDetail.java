package dev.backlight.api.backend;

import java.util.Objects;

/**
 * One fact a backend provider found about this machine, for {@code backlight info}: the CUDA
 * driver's version, the GPU's name, the cuDNN and cuBLAS versions, the CPU's vector width.
 *
 * @param name what it is, such as {@code "cuDNN"}
 * @param value what was found, such as {@code "9.1.0 (/usr/lib/x86_64-linux-gnu/libcudnn.so.9)"}, or
 *     why nothing was
 */
public record BackendDetail(String name, String value) {
    public BackendDetail {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(value, "value");
    }
}
