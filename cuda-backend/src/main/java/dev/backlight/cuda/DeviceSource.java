package dev.backlight.cuda;

/**
 * Where a {@link CudaBackend} gets its devices: one {@link Device} per compiled model (its own
 * stream and library handles) on one shared context and memory ledger. {@link CudaContext} is the
 * GPU; tests use a host simulation.
 */
interface DeviceSource extends AutoCloseable {
    /** A new device session for one model. */
    Device open();

    /** The memory ledger shared by every device of this source. */
    MemoryLedger ledger();

    /** The convolution algorithms chosen so far, shared by every device of this source. */
    AlgorithmCache algorithms();

    /** One line: the GPU, driver and library versions, the math mode. */
    String describe();

    /** Frees a leaked allocation found at close (the ledger has already recorded it as freed). */
    void freeLeaked(long address);

    /** Releases the context; every device must be closed first. */
    @Override
    void close();
}
