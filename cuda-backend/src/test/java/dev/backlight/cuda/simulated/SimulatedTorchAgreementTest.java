package dev.backlight.cuda.simulated;

import dev.backlight.api.backend.Backend;
import dev.backlight.conformance.TorchAgreementConformance;
import dev.backlight.cuda.SimulatedBackends;

/** DenseNet-121 against PyTorch's golden maps, on the CUDA backend with a simulated device. */
class SimulatedTorchAgreementTest extends TorchAgreementConformance {
    @Override
    protected Backend createBackend() {
        return SimulatedBackends.create(1L << 30);
    }
}
