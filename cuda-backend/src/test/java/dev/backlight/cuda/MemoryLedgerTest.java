package dev.backlight.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.backlight.api.graph.Graph;
import dev.backlight.densenet.DenseNet;
import dev.backlight.densenet.DenseNetConfig;
import dev.backlight.densenet.RandomWeights;
import org.junit.jupiter.api.Test;

class MemoryLedgerTest {
    @Test
    void countsHeldAndPeakBytesAndRefusesDoubleFrees() {
        MemoryLedger ledger = new MemoryLedger();
        ledger.recordAllocation(0x1000, 300, "a");
        ledger.recordAllocation(0x2000, 500, "b");
        ledger.recordFree(0x1000);
        ledger.recordAllocation(0x3000, 100, "c");
        assertEquals(600, ledger.heldBytes());
        assertEquals(800, ledger.peakBytes());
        ledger.resetPeak();
        assertEquals(600, ledger.peakBytes());
        var twice = assertThrows(IllegalStateException.class, () -> ledger.recordFree(0x1000));
        assertTrue(twice.getMessage().contains("0x1000"), twice.getMessage());
        assertEquals("2 allocations, 0.0 MiB: b (0.0 MiB), c (0.0 MiB)", MemoryLedger.describe(ledger.outstanding()));
    }

    @Test
    void aBackendReportsAndFreesWhatLeakedAtClose() {
        SimulatedGpu gpu = new SimulatedGpu(64L << 20);
        CudaBackend backend = new CudaBackend(gpu);
        Device stray = gpu.open();
        stray.allocate(4096, "test: a buffer nobody frees");
        backend.close();
        assertEquals(1, backend.leaksAtClose().size());
        assertTrue(backend.leaksAtClose().get(0).contains("a buffer nobody frees"), backend.leaksAtClose().toString());
        assertEquals(0, backend.deviceBytesHeld());
    }

    @Test
    void closingTheBackendClosesOpenModelsAndFreesTheirMemory() {
        Graph graph = DenseNet.build(DenseNetConfig.DENSENET121, 32, 32);
        SimulatedGpu gpu = new SimulatedGpu(1L << 30);
        CudaBackend backend = new CudaBackend(gpu);
        var model = backend.compile(graph, RandomWeights.generate(graph, 3));
        assertTrue(backend.deviceBytesHeld() > 0, "parameters are on the device after compile");
        assertEquals(1, gpu.devicesOpen);
        backend.close();
        assertEquals(0, backend.deviceBytesHeld());
        assertTrue(backend.leaksAtClose().isEmpty(), backend.leaksAtClose().toString());
        assertEquals(0, gpu.devicesOpen, "the model's stream and handles were not closed");
        assertThrows(IllegalStateException.class, () -> model.forward(null));
    }
}
