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

    /** Every known rule by id, built-in ones first. A broken provider is logged and skipped. */
    public static Map<String, ReluRule> all() {
        Map<String, ReluRule> rules = new LinkedHashMap<>();
        for (BuiltinRule r : BuiltinRule.values()) {
            rules.put(r.id(), r);
        }
        try {
            for (ReluRuleProvider p : ServiceLoader.load(ReluRuleProvider.class)) {
                for (ReluRule r : p.rules()) {
                    if (rules.putIfAbsent(r.id(), r) != null) {
                        LOG.log(System.Logger.Level.WARNING, "ReLU rule id ''{0}'' from {1} is already taken; ignored",
                                r.id(), p.getClass().getName());
                    }
                }
            }
        } catch (ServiceConfigurationError e) {
            LOG.log(System.Logger.Level.WARNING, "a ReluRuleProvider could not be loaded: " + e.getMessage(), e);
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
