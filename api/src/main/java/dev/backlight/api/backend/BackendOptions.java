package dev.backlight.api.backend;

import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.TreeMap;

/**
 * Options for creating a backend ({@link BackendProvider#create}), made with {@link #builder()}.
 * Each backend instance has its own: one JVM can drive two GPUs by creating two backends with
 * different {@link #device()}s. Immutable and thread-safe.
 *
 * <ul>
 *   <li>{@link #threads()}: worker threads for CPU work; 0 (the default) means one per available processor.
 *   <li>{@link #device()}: the index of the accelerator to run on, for backends that have several
 *       (the CUDA backend: the GPU ordinal); empty means the backend's default (the first).
 *   <li>{@link #precision()}: {@link Precision#FP32} by default.
 *   <li>{@link #property(String)}: backend-specific settings by name, such as {@code cuda.algorithms},
 *       documented by each backend; a backend ignores names that are not its own.
 * </ul>
 */
public final class BackendOptions {
    private static final BackendOptions DEFAULTS = builder().build();

    private final int threads;
    private final int device;
    private final Precision precision;
    private final Map<String, String> properties;

    private BackendOptions(Builder b) {
        this.threads = b.threads;
        this.device = b.device;
        this.precision = b.precision;
        this.properties = Collections.unmodifiableMap(new TreeMap<>(b.properties));
    }

    /** Defaults: every core, the default device, {@link Precision#FP32}, no properties. */
    public static BackendOptions defaults() {
        return DEFAULTS;
    }

    /** A builder starting from the defaults. */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder starting from these options. */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.threads = threads;
        b.device = device;
        b.precision = precision;
        b.properties.putAll(properties);
        return b;
    }

    /** Worker threads for CPU work; 0 means one per available processor. */
    public int threads() {
        return threads;
    }

    /** The thread count to use: {@link #threads()}, or the number of available processors if 0. */
    public int effectiveThreads() {
        return threads == 0 ? Runtime.getRuntime().availableProcessors() : threads;
    }

    /** The accelerator's index, if one was chosen. */
    public OptionalInt device() {
        return device < 0 ? OptionalInt.empty() : OptionalInt.of(device);
    }

    /** The arithmetic of convolutions and matrix products. */
    public Precision precision() {
        return precision;
    }

    /** A backend-specific setting, if given. */
    public Optional<String> property(String name) {
        return Optional.ofNullable(properties.get(name));
    }

    /** Every backend-specific setting, sorted by name. */
    public Map<String, String> properties() {
        return properties;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof BackendOptions other && threads == other.threads && device == other.device
                && precision == other.precision && properties.equals(other.properties);
    }

    @Override
    public int hashCode() {
        return Objects.hash(threads, device, precision, properties);
    }

    @Override
    public String toString() {
        return "BackendOptions[threads=" + threads + ", device=" + (device < 0 ? "default" : device)
                + ", precision=" + precision.id() + (properties.isEmpty() ? "" : ", " + properties) + "]";
    }

    /** Builds {@link BackendOptions}; not thread-safe. */
    public static final class Builder {
        private int threads;
        private int device = -1;
        private Precision precision = Precision.FP32;
        private final Map<String, String> properties = new TreeMap<>();

        private Builder() {
        }

        /**
         * Worker threads for CPU work; 0 for one per available processor.
         *
         * @throws IllegalArgumentException if negative
         */
        public Builder threads(int threads) {
            if (threads < 0) {
                throw new IllegalArgumentException("threads must be 0 (all cores) or positive, got " + threads);
            }
            this.threads = threads;
            return this;
        }

        /**
         * The accelerator to run on, such as GPU 1.
         *
         * @throws IllegalArgumentException if negative
         */
        public Builder device(int index) {
            if (index < 0) {
                throw new IllegalArgumentException("a device index is 0 or more, got " + index);
            }
            this.device = index;
            return this;
        }

        /** The arithmetic of convolutions and matrix products. */
        public Builder precision(Precision precision) {
            this.precision = Objects.requireNonNull(precision, "precision");
            return this;
        }

        /**
         * A backend-specific setting; {@code null} removes it.
         *
         * @throws IllegalArgumentException if the name is blank
         */
        public Builder property(String name, String value) {
            if (name == null || name.isBlank()) {
                throw new IllegalArgumentException("a backend property needs a name");
            }
            if (value == null) {
                properties.remove(name);
            } else {
                properties.put(name, value);
            }
            return this;
        }

        /** The options. */
        public BackendOptions build() {
            return new BackendOptions(this);
        }
    }
}
