package dev.backlight.api.backend;

import java.util.Set;

/**
 * Options for {@link Backend#compile}.
 *
 * @param observedNodes names of graph nodes whose forward output and gradient the compiled model
 *     keeps for the caller ({@link CompiledModel#activation}, {@link CompiledModel#gradient}), for
 *     methods such as Grad-CAM that look inside the network. Observing a node costs memory.
 */
public record CompileOptions(Set<String> observedNodes) {
    public CompileOptions {
        observedNodes = Set.copyOf(observedNodes);
    }

    /** No observed nodes. */
    public static CompileOptions defaults() {
        return new CompileOptions(Set.of());
    }

    /** Observes the given nodes. */
    public static CompileOptions observing(String... nodes) {
        return new CompileOptions(Set.of(nodes));
    }
}
