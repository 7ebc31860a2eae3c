package dev.backlight.cuda;

import static org.junit.jupiter.api.Assertions.assertFalse;
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
        assertFalse(cuda.availability().available());
        String reason = cuda.availability().reason();
        if (dev.backlight.kernels.Kernels.manifest().isEmpty()) {
            assertTrue(reason.contains("kernels not built"), reason);
        } else {
            assertTrue(reason.contains("not found") || reason.contains("not part of this build"), reason);
        }
        var e = assertThrows(BackendUnavailableException.class, () -> cuda.create(BackendOptions.defaults()));
        assertTrue(e.getMessage().contains(reason));
    }
}
