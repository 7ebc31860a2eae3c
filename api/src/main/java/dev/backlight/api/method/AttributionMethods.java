package dev.backlight.api.method;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;

/** Finds {@link AttributionMethod}s by id: those of every {@link AttributionMethodProvider} found by {@link ServiceLoader}. */
public final class AttributionMethods {
    private static final System.Logger LOG = System.getLogger(AttributionMethods.class.getName());

    private AttributionMethods() {
    }

    /** Every method found, by id (the built-in ones are always among them). */
    public static Map<String, AttributionMethod> all() {
        Map<String, AttributionMethod> methods = new LinkedHashMap<>();
        var it = ServiceLoader.load(AttributionMethodProvider.class).iterator();
        while (true) {
            AttributionMethodProvider provider;
            try {
                if (!it.hasNext()) {
                    break;
                }
                provider = it.next();
            } catch (ServiceConfigurationError | LinkageError e) {
                LOG.log(System.Logger.Level.WARNING, "an attribution method provider could not be loaded and is skipped: " + e, e);
                continue;
            }
            List<AttributionMethod> contributed;
            try {
                contributed = provider.methods();
            } catch (RuntimeException | LinkageError e) {
                LOG.log(System.Logger.Level.WARNING, "attribution method provider " + provider.getClass().getName()
                        + " failed to list its methods and is skipped: " + e, e);
                continue;
            }
            for (AttributionMethod m : contributed) {
                if (methods.putIfAbsent(m.id(), m) != null) {
                    LOG.log(System.Logger.Level.WARNING, "attribution method id ''{0}'' of {1} is already taken; ignored",
                            m.id(), m.getClass().getName());
                }
            }
        }
        return methods;
    }

    /**
     * The method with this id.
     *
     * @throws IllegalArgumentException naming the known ids if there is none
     */
    public static AttributionMethod byId(String id) {
        Map<String, AttributionMethod> methods = all();
        AttributionMethod m = methods.get(id);
        if (m == null) {
            throw new IllegalArgumentException("unknown attribution method '" + id + "'; known: " + new ArrayList<>(methods.keySet()));
        }
        return m;
    }

    /** The ids of every method found. */
    public static List<String> ids() {
        return new ArrayList<>(all().keySet());
    }
}
