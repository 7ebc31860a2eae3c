package dev.backlight.cuda;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.backlight.api.BackendUnavailableException;
import dev.backlight.api.backend.BackendOptions;
import dev.backlight.api.backend.BackendProvider;
import java.util.ServiceLoader;
import org.junit.jupiter.api.Test;

class CudaBackendProviderTest {
    @Test
    void isDiscoveredAndSaysWhyItCannotRun() {
        BackendProvider cuda = ServiceLoader.load(BackendProvider.class).stream()
                .map(ServiceLoader.Provider::get).filter(p -> p.name().equals("cuda")).findFirst().orElseThrow();
        if (cuda.availability().available()) {
            // A GPU machine: the backend must then be creatable and say what it runs on.
            try (var backend = cuda.create(BackendOptions.defaults())) {
                assertTrue(((CudaBackend) backend).describe().contains("math fp32"), ((CudaBackend) backend).describe());
            }
            return;
        }
        String reason = cuda.availability().reason();
        if (dev.backlight.kernels.Kernels.manifest().isEmpty()) {
            assertTrue(reason.contains("kernels not built"), reason);
        } else {
            assertTrue(reason.contains("not found") || reason.contains("GPU"), reason);
        }
        var e = assertThrows(BackendUnavailableException.class, () -> cuda.create(BackendOptions.defaults()));
        assertTrue(e.getMessage().contains(reason));
    }
}
