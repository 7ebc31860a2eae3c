package dev.backlight.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.backlight.api.backend.BackendOptions;
import dev.backlight.api.backend.Precision;
import org.junit.jupiter.api.Test;

/** A CUDA backend's settings come from its options alone (issue #11, item 3). */
class CudaSettingsTest {
    @Test
    void defaultsAreGpuZeroFp32AndHeuristics() {
        assertEquals(CudaSettings.DEFAULTS, CudaSettings.of(BackendOptions.defaults()));
        assertEquals(new CudaSettings(0, MathMode.FP32, AlgorithmSearch.HEURISTICS), CudaSettings.DEFAULTS);
    }

    @Test
    void deviceTf32AndFindComeFromTheOptions() {
        BackendOptions options = BackendOptions.builder().device(1).precision(Precision.TF32)
                .property("cuda.algorithms", " Find ").property("cpu.something", "ignored").build();
        assertEquals(new CudaSettings(1, MathMode.TF32, AlgorithmSearch.FIND), CudaSettings.of(options));
        assertTrue(CudaSettings.of(options).describe().contains("GPU 1, math tf32"), CudaSettings.of(options).describe());
    }

    @Test
    void unknownCudaSettingsAndValuesAreRefusedByName() {
        var badValue = assertThrows(IllegalArgumentException.class,
                () -> CudaSettings.of(BackendOptions.builder().property("cuda.algorithms", "fastest").build()));
        assertTrue(badValue.getMessage().contains("fastest") && badValue.getMessage().contains("heuristics"), badValue.getMessage());
        var badName = assertThrows(IllegalArgumentException.class,
                () -> CudaSettings.of(BackendOptions.builder().property("cuda.algorithm", "find").build()));
        assertTrue(badName.getMessage().contains("cuda.algorithm'") && badName.getMessage().contains("cuda.algorithms"), badName.getMessage());
    }

    @Test
    void theOldJvmWideSettingsNoLongerChooseTheGpuOrTheMath() {
        System.setProperty("backlight.cuda.device", "3");
        System.setProperty("backlight.cuda.math", "tf32");
        try {
            assertEquals(CudaSettings.DEFAULTS, CudaSettings.of(BackendOptions.defaults()));
        } finally {
            System.clearProperty("backlight.cuda.device");
            System.clearProperty("backlight.cuda.math");
        }
    }

    @Test
    void theProviderRefusesABadSettingBeforeLookingForAGpu() {
        var e = assertThrows(IllegalArgumentException.class,
                () -> new CudaBackendProvider().create(BackendOptions.builder().property("cuda.algorithms", "all").build()));
        assertTrue(e.getMessage().contains("cuda.algorithms"), e.getMessage());
    }
}
