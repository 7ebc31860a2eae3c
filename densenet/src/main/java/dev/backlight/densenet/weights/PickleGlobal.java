package dev.backlight.densenet.weights;

/**
 * The only globals the restricted unpickler accepts: what a PyTorch state dict needs, each mapped
 * to a fixed meaning in {@link RestrictedUnpickler}. Nothing is looked up by name: a global is a
 * constant of this enum or it is refused.
 */
enum PickleGlobal {
    ORDERED_DICT("collections", "OrderedDict", null),
    REBUILD_TENSOR("torch._utils", "_rebuild_tensor", null),
    REBUILD_TENSOR_V2("torch._utils", "_rebuild_tensor_v2", null),
    REBUILD_PARAMETER("torch._utils", "_rebuild_parameter", null),
    FLOAT_STORAGE("torch", "FloatStorage", TorchStorageType.FLOAT),
    HALF_STORAGE("torch", "HalfStorage", TorchStorageType.HALF),
    BFLOAT16_STORAGE("torch", "BFloat16Storage", TorchStorageType.BFLOAT16),
    DOUBLE_STORAGE("torch", "DoubleStorage", TorchStorageType.DOUBLE),
    LONG_STORAGE("torch", "LongStorage", TorchStorageType.LONG);

    private final String module;
    private final String name;
    private final TorchStorageType storage;

    PickleGlobal(String module, String name, TorchStorageType storage) {
        this.module = module;
        this.name = name;
        this.storage = storage;
    }

    /** The storage type this global names, or null if it is not a storage type. */
    TorchStorageType storage() {
        return storage;
    }

    /** The allowed global {@code module.name}, or null. */
    static PickleGlobal find(String module, String name) {
        for (PickleGlobal g : values()) {
            if (g.module.equals(module) && g.name.equals(name)) {
                return g;
            }
        }
        return null;
    }

    @Override
    public String toString() {
        return module + "." + name;
    }
}
