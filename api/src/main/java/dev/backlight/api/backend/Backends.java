package dev.backlight.api.backend;

import dev.backlight.api.BackendUnavailableException;
import dev.backlight.api.rule.BuiltinRule;
import dev.backlight.api.rule.ReluRule;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;

/**
 * Discovers {@link BackendProvider}s with {@link ServiceLoader} and selects one.
 *
 * <p>Selection order: an explicit request (e.g. the CLI's {@code --backend}), then the system
 * property {@value #PROPERTY}, then the environment variable {@value #ENV}, then the available
 * provider with the highest priority that supports the rule. A named backend that is unknown or
 * unavailable is an error, never silently replaced; automatic selection that skips a
 * higher-priority provider logs the reason: a warning when it was skipped because it cannot run the
 * requested rule, an informational message when it is simply unavailable here (a machine without
 * a GPU is not an error; {@link BackendSelection#report()} shows it).
 */
public final class Backends {
    /** System property that names the backend to use ({@code cpu}, {@code cuda} or {@code auto}). */
    public static final String PROPERTY = "backlight.backend";
    /** Environment variable that names the backend to use, read when the property is not set. */
    public static final String ENV = "BACKLIGHT_BACKEND";

    private static final System.Logger LOG = System.getLogger(Backends.class.getName());

    private Backends() {
    }

    /** Every provider on the class path (and module path), highest priority first. Never throws. */
    public static List<BackendProvider> providers() {
        List<BackendProvider> list = new ArrayList<>();
        var it = ServiceLoader.load(BackendProvider.class).iterator();
        while (true) {
            try {
                if (!it.hasNext()) {
                    break;
                }
                list.add(it.next());
            } catch (ServiceConfigurationError | LinkageError e) {
                LOG.log(System.Logger.Level.WARNING, "a backend provider could not be loaded and is skipped: " + e, e);
            }
        }
        list.sort(Comparator.comparingInt(BackendProvider::priority).reversed().thenComparing(BackendProvider::name));
        return list;
    }

    /** Selects a backend for the built-in rules; see {@link #select(String, ReluRule)}. */
    public static BackendSelection select(String requested) {
        return select(requested, BuiltinRule.GUIDED);
    }

    /**
     * Selects a backend.
     *
     * @param requested a backend name, or {@code null}/{@code "auto"} to consult the system property,
     *     the environment variable and then the priorities
     * @param rule the ReLU rule that will be run; providers that cannot run it are skipped in
     *     automatic selection (with a warning) and refused when named
     * @throws BackendUnavailableException if the named backend is unknown, unavailable or cannot
     *     run the rule, or if no provider is available
     */
    public static BackendSelection select(String requested, ReluRule rule) {
        return select(providers(), requested, System.getProperty(PROPERTY), System.getenv(ENV), rule);
    }

    /** Selection with every input explicit (for tests and embedders). */
    public static BackendSelection select(List<BackendProvider> providers, String requested, String property,
                                          String env, ReluRule rule) {
        String name = null;
        String how = null;
        for (String[] source : new String[][] {
                {requested, "requested"}, {property, "system property " + PROPERTY}, {env, "environment variable " + ENV}}) {
            if (source[0] != null && !source[0].isBlank() && !source[0].trim().equalsIgnoreCase("auto")) {
                name = source[0].trim().toLowerCase(Locale.ROOT);
                how = source[1];
                break;
            }
        }
        List<ProviderStatus> statuses = new ArrayList<>();
        List<Availability> availabilities = new ArrayList<>();
        for (BackendProvider p : providers) {
            availabilities.add(safeAvailability(p));
        }
        BackendProvider chosen = null;
        String chosenHow = null;
        List<String> skipped = new ArrayList<>();
        boolean ruleFallback = false;
        for (int i = 0; i < providers.size(); i++) {
            BackendProvider p = providers.get(i);
            Availability a = availabilities.get(i);
            String reason = a.reason();
            boolean usable = a.available() && p.supports(rule);
            if (a.available() && !p.supports(rule)) {
                reason = "cannot run the custom ReLU rule '" + rule.id() + "'";
            }
            if (chosen == null) {
                if (name != null) {
                    if (p.name().equals(name)) {
                        if (!usable) {
                            throw new BackendUnavailableException("backend '" + name + "' (" + how + ") cannot be used: "
                                    + reason + ". Choose another with --backend, -D" + PROPERTY + " or " + ENV + ", or 'auto'.");
                        }
                        chosen = p;
                        chosenHow = how;
                    }
                } else if (usable) {
                    chosen = p;
                    chosenHow = "highest priority available";
                } else {
                    skipped.add(p.name() + ": " + reason);
                    ruleFallback |= a.available();
                }
            }
            statuses.add(new ProviderStatus(p.name(), p.priority(), a.available(), reason, chosen == p));
        }
        if (chosen == null) {
            List<String> names = new ArrayList<>();
            providers.forEach(p -> names.add(p.name()));
            if (name != null) {
                throw new BackendUnavailableException("unknown backend '" + name + "' (" + how + "); known: " + names);
            }
            throw new BackendUnavailableException("no backend can run here: " + String.join("; ", skipped)
                    + (providers.isEmpty() ? "no provider found on the class path (is backlight-cpu-fallback there?)" : ""));
        }
        if (!skipped.isEmpty()) {
            LOG.log(ruleFallback ? System.Logger.Level.WARNING : System.Logger.Level.INFO, "using backend ''{0}''; skipped {1}",
                    chosen.name(), String.join("; ", skipped));
        }
        return new BackendSelection(chosen, chosenHow, statuses);
    }

    private static Availability safeAvailability(BackendProvider p) {
        try {
            return p.availability();
        } catch (RuntimeException | LinkageError e) {
            return Availability.unavailable("its availability probe failed: " + e);
        }
    }
}
