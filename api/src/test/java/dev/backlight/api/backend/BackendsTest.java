package dev.backlight.api.backend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.backlight.api.BackendUnavailableException;
import dev.backlight.api.rule.BuiltinRule;
import dev.backlight.api.rule.ReluRule;
import java.util.List;
import org.junit.jupiter.api.Test;

class BackendsTest {
    private static final ReluRule CUSTOM = ReluRule.pointwise("custom", (x, dy) -> dy);

    private static BackendProvider provider(String name, int priority, boolean available, boolean customRules) {
        return new BackendProvider() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public int priority() {
                return priority;
            }

            @Override
            public Availability availability() {
                return available ? Availability.available(name + " ok") : Availability.unavailable(name + " has no device");
            }

            @Override
            public boolean supports(ReluRule rule) {
                return customRules || rule instanceof BuiltinRule;
            }

            @Override
            public Backend create(BackendOptions options) {
                throw new UnsupportedOperationException();
            }
        };
    }

    private final List<BackendProvider> both = List.of(provider("gpu", 100, true, false), provider("cpu", 10, true, true));
    private final List<BackendProvider> gpuMissing = List.of(provider("gpu", 100, false, false), provider("cpu", 10, true, true));

    @Test
    void highestPriorityAvailableWins() {
        BackendSelection s = Backends.select(both, null, null, null, List.of(BuiltinRule.GUIDED));
        assertEquals("gpu", s.chosen().name());
        assertEquals("highest priority available", s.how());
    }

    @Test
    void unavailableProviderIsSkippedAndReported() {
        BackendSelection s = Backends.select(gpuMissing, "auto", null, null, List.of(BuiltinRule.GUIDED));
        assertEquals("cpu", s.chosen().name());
        String report = s.report();
        assertTrue(report.contains("gpu has no device"), report);
        assertTrue(report.contains("* cpu"), report);
    }

    @Test
    void explicitRequestBeatsPropertyBeatsEnvironment() {
        assertEquals("cpu", Backends.select(both, "cpu", "gpu", "gpu", List.of(BuiltinRule.GUIDED)).chosen().name());
        BackendSelection byProperty = Backends.select(both, null, "cpu", "gpu", List.of(BuiltinRule.GUIDED));
        assertEquals("cpu", byProperty.chosen().name());
        assertTrue(byProperty.how().contains(Backends.PROPERTY));
        BackendSelection byEnv = Backends.select(both, "auto", " ", "CPU", List.of(BuiltinRule.GUIDED));
        assertEquals("cpu", byEnv.chosen().name());
        assertTrue(byEnv.how().contains(Backends.ENV));
    }

    @Test
    void namedButUnavailableBackendIsAnErrorWithItsReason() {
        var e = assertThrows(BackendUnavailableException.class, () -> Backends.select(gpuMissing, "gpu", null, null, List.of(BuiltinRule.GUIDED)));
        assertTrue(e.getMessage().contains("gpu has no device"), e.getMessage());
    }

    @Test
    void unknownBackendNamesTheKnownOnes() {
        var e = assertThrows(BackendUnavailableException.class, () -> Backends.select(both, "tpu", null, null, List.of(BuiltinRule.GUIDED)));
        assertTrue(e.getMessage().contains("[gpu, cpu]"), e.getMessage());
    }

    @Test
    void customRuleFallsBackToABackendThatCanRunIt() {
        BackendSelection s = Backends.select(both, null, null, null, List.of(CUSTOM));
        assertEquals("cpu", s.chosen().name());
        assertTrue(s.report().contains("cannot run the custom ReLU rule 'custom'"), s.report());
        assertThrows(BackendUnavailableException.class, () -> Backends.select(both, "gpu", null, null, List.of(CUSTOM)));
    }

    @Test
    void noUsableProviderIsAnError() {
        var e = assertThrows(BackendUnavailableException.class,
                () -> Backends.select(List.of(provider("gpu", 100, false, false)), null, null, null, List.of(BuiltinRule.GUIDED)));
        assertTrue(e.getMessage().contains("gpu has no device"), e.getMessage());
    }

    @Test
    void aThrowingProbeCountsAsUnavailable() {
        BackendProvider broken = new BackendProvider() {
            @Override
            public String name() {
                return "broken";
            }

            @Override
            public int priority() {
                return 50;
            }

            @Override
            public Availability availability() {
                throw new UnsatisfiedLinkError("libcuda.so.1: cannot open shared object file");
            }

            @Override
            public boolean supports(ReluRule rule) {
                return true;
            }

            @Override
            public Backend create(BackendOptions options) {
                throw new UnsupportedOperationException();
            }
        };
        BackendSelection s = Backends.select(List.of(broken, provider("cpu", 10, true, true)), null, null, null, List.of(BuiltinRule.GUIDED));
        assertEquals("cpu", s.chosen().name());
        assertFalse(s.providers().get(0).available());
        assertTrue(s.report().contains("libcuda.so.1"), s.report());
    }
}
