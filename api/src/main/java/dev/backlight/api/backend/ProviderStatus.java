package dev.backlight.api.backend;

/**
 * One line of a backend selection report: a provider that was seen, whether it can run, and
 * whether it was chosen.
 *
 * @param name the provider's name
 * @param priority its rank
 * @param available whether it can run here
 * @param reason its availability reason, or why it was skipped
 * @param chosen whether it is the selected backend
 */
public record ProviderStatus(String name, int priority, boolean available, String reason, boolean chosen) {
}
