package dev.backlight.api.backend;

import dev.backlight.api.BackendUnavailableException;
import dev.backlight.api.rule.BuiltinRule;
import dev.backlight.api.rule.ReluRule;
import java.util.ArrayList;
import java.util.Collection;
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
 * provider with the highest priority that supports every rule the work needs. A named backend that
 * is unknown or unavailable is an error, never silently replaced; automatic selection that skips a
 * higher-priority provider logs the reason: a warning when it was skipped because it cannot run a
 * requested rule, a debug message when it is simply unavailable here (a machine without a GPU is
 * not an error; {@link BackendSelection#report()} shows it).
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

    /** Selects a backend for the built-in rules; see {@link #select(String, Collection)}. */
    public static BackendSelection select(String requested) {
        return select(requested, List.of(BuiltinRule.values()));
    }

    /**
     * Selects a backend.
     *
     * @param requested a backend name, or {@code null}/{@code "auto"} to consult the system property,
     *     the environment variable and then the priorities
     * @param rules the ReLU rules that will be run (for a method, its
     *     {@link dev.backlight.api.method.AttributionMethod#rules()}); providers that cannot run one of
     *     them are skipped in automatic selection (with a warning) and refused when named
     * @throws BackendUnavailableException if the named backend is unknown, unavailable or cannot
     *     run a rule, or if no provider is available
     */
    public static BackendSelection select(String requested, Collection<? extends ReluRule> rules) {
        return select(providers(), requested, System.getProperty(PROPERTY), System.getenv(ENV), rules);
    }

    /** Selection with every input explicit (for tests and embedders). */
    public static BackendSelection select(List<BackendProvider> providers, String requested, String property,
                                          String env, Collection<? extends ReluRule> rules) {
        if (rules.isEmpty()) {
            throw new IllegalArgumentException("give at least one ReLU rule to select a backend for");
        }
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
            ReluRule unsupported = a.available() ? firstUnsupported(p, rules) : null;
            boolean usable = a.available() && unsupported == null;
            if (unsupported != null) {
                reason = "cannot run the custom ReLU rule '" + unsupported.id() + "'";
            }
            if (chosen == null) {
                if (name != null) {
                    if (p.name().equals(name)) {
                        if (!usable) {
                            throw new BackendUnavailableException("backend '" + name + "' (" + how + ") cannot be used: "
                                    + reason + "; name another backend (or 'auto'), in the request, the system property "
                                    + PROPERTY + " or the environment variable " + ENV);
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
            LOG.log(ruleFallback ? System.Logger.Level.WARNING : System.Logger.Level.DEBUG, "using backend ''{0}''; skipped {1}",
                    chosen.name(), String.join("; ", skipped));
        }
        return new BackendSelection(chosen, chosenHow, statuses);
    }

    private static ReluRule firstUnsupported(BackendProvider p, Collection<? extends ReluRule> rules) {
        for (ReluRule r : rules) {
            boolean supported;
            try {
                supported = p.supports(r);
            } catch (RuntimeException | LinkageError e) {
                supported = false;
            }
            if (!supported) {
                return r;
            }
        }
        return null;
    }

    private static Availability safeAvailability(BackendProvider p) {
        try {
            return p.availability();
        } catch (RuntimeException | LinkageError e) {
            return Availability.unavailable("its availability probe failed: " + e);
        }
    }
}
