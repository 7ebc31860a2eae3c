package dev.backlight.cpu;

import dev.backlight.api.backend.Backend;
import dev.backlight.conformance.TorchAgreementConformance;

/** Agreement with PyTorch on the CPU backend. */
class CpuTorchAgreementTest extends TorchAgreementConformance {
    @Override
    protected Backend createBackend() {
        return new CpuBackend(2);
    }
}
