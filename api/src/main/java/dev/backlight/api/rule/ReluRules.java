package dev.backlight.api.rule;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;

/** Finds ReLU rules by id: the {@link BuiltinRule}s and those published by {@link ReluRuleProvider}s. */
public final class ReluRules {
    private static final System.Logger LOG = System.getLogger(ReluRules.class.getName());

    private ReluRules() {
    }

    /**
     * Every known rule by id, built-in ones first. A provider that cannot be loaded or whose
     * {@link ReluRuleProvider#rules()} throws is logged and skipped; the providers after it still count.
     */
    public static Map<String, ReluRule> all() {
        Map<String, ReluRule> rules = new LinkedHashMap<>();
        for (BuiltinRule r : BuiltinRule.values()) {
            rules.put(r.id(), r);
        }
        var it = ServiceLoader.load(ReluRuleProvider.class).iterator();
        while (true) {
            ReluRuleProvider provider;
            try {
                if (!it.hasNext()) {
                    break;
                }
                provider = it.next();
            } catch (ServiceConfigurationError | LinkageError e) {
                LOG.log(System.Logger.Level.WARNING, "a ReluRuleProvider could not be loaded and is skipped: " + e, e);
                continue;
            }
            List<ReluRule> contributed;
            try {
                contributed = provider.rules();
            } catch (RuntimeException | LinkageError e) {
                LOG.log(System.Logger.Level.WARNING, "ReluRuleProvider " + provider.getClass().getName()
                        + " failed to list its rules and is skipped: " + e, e);
                continue;
            }
            for (ReluRule r : contributed) {
                if (rules.putIfAbsent(r.id(), r) != null) {
                    LOG.log(System.Logger.Level.WARNING, "ReLU rule id ''{0}'' from {1} is already taken; ignored",
                            r.id(), provider.getClass().getName());
                }
            }
        }
        return rules;
    }

    /**
     * The rule with this id.
     *
     * @throws IllegalArgumentException naming the known ids if there is none
     */
    public static ReluRule byId(String id) {
        Map<String, ReluRule> rules = all();
        ReluRule r = rules.get(id);
        if (r == null) {
            throw new IllegalArgumentException("unknown ReLU rule '" + id + "'; known: " + new ArrayList<>(rules.keySet()));
        }
        return r;
    }

    /** The ids of every known rule. */
    public static List<String> ids() {
        return new ArrayList<>(all().keySet());
    }
}
