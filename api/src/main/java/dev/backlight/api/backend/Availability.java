package dev.backlight.api.backend;

import java.util.Objects;

/**
 * Whether a backend can run here, and why (or why not), in words a user can act on.
 *
 * @param available true if {@link BackendProvider#create} is expected to succeed
 * @param reason a one-line explanation: what was found, or what is missing and how to fix it
 */
public record Availability(boolean available, String reason) {
    public Availability {
        Objects.requireNonNull(reason, "reason");
    }

    /** Available, with a note on what was found (e.g. "2 cores, scalar kernels"). */
    public static Availability available(String detail) {
        return new Availability(true, detail);
    }

    /** Not available, with the reason. */
    public static Availability unavailable(String reason) {
        return new Availability(false, reason);
    }
}
