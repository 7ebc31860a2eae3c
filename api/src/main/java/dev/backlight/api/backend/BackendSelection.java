package dev.backlight.api.backend;

import java.util.List;

/**
 * The outcome of {@link Backends#select}: the chosen provider, how it was chosen, and the status
 * of every provider seen.
 *
 * @param chosen the provider to use
 * @param how why it was chosen (an explicit request, the system property, the environment
 *     variable, or its priority)
 * @param providers every provider seen, highest priority first
 */
public record BackendSelection(BackendProvider chosen, String how, List<ProviderStatus> providers) {
    public BackendSelection {
        providers = List.copyOf(providers);
    }

    /** Creates the chosen backend; the caller owns and closes it. */
    public Backend create(BackendOptions options) {
        return chosen.create(options);
    }

    /** A human-readable, multi-line report of every provider and why it was or was not chosen. */
    public String report() {
        StringBuilder sb = new StringBuilder();
        sb.append("backend: ").append(chosen.name()).append(" (").append(how).append(")\n");
        for (ProviderStatus s : providers) {
            sb.append(s.chosen() ? "  * " : "    ")
                    .append(String.format("%-6s priority %3d  %-11s %s%n", s.name(), s.priority(),
                            s.available() ? "available" : "unavailable", s.reason()));
        }
        return sb.toString();
    }
}
