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
        assertTrue(reason.contains(dev.backlight.kernels.Kernels.manifest().isPresent() ? "not part of this build" : "kernels not built"), reason);
        var e = assertThrows(BackendUnavailableException.class, () -> cuda.create(BackendOptions.defaults()));
        assertTrue(e.getMessage().contains(reason));
    }
}
