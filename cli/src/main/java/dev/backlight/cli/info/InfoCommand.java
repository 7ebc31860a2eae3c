package dev.backlight.cli.info;

import dev.backlight.api.BackendUnavailableException;
import dev.backlight.api.backend.Availability;
import dev.backlight.api.backend.BackendDetail;
import dev.backlight.api.backend.BackendProvider;
import dev.backlight.api.backend.Backends;
import dev.backlight.api.method.AttributionMethod;
import dev.backlight.api.method.AttributionMethods;
import dev.backlight.api.rule.ReluRules;
import dev.backlight.cli.ExitCodes;
import dev.backlight.cli.Logging;
import dev.backlight.cli.VerboseOption;
import dev.backlight.cli.VersionProvider;
import java.io.PrintWriter;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * {@code backlight info}: the version, the Java runtime, the CPU cores and heap, every backend
 * provider found with its availability and reason and the details it found (for CUDA: driver,
 * GPU, cuDNN and cuBLAS, as its provider reports them), the automatic backend selection, and the
 * attribution methods and ReLU rules found. It fails only on a broken installation.
 */
@Command(name = "info",
        mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        description = "Shows the version, the Java runtime, the backends found and which would be used, and the"
                + " attribution methods and ReLU rules available.")
public final class InfoCommand implements Callable<Integer> {
    @Spec
    private CommandSpec spec;

    @Mixin
    private VerboseOption verbose;

    @Override
    public Integer call() {
        Logging.configure(verbose.enabled());
        PrintWriter out = spec.commandLine().getOut();
        Runtime runtime = Runtime.getRuntime();
        out.println("backlight " + VersionProvider.version());
        out.println("java       " + System.getProperty("java.version") + " (" + System.getProperty("java.vendor") + "), "
                + System.getProperty("java.home"));
        out.println("os         " + System.getProperty("os.name") + " " + System.getProperty("os.version") + " "
                + System.getProperty("os.arch"));
        out.println("cpu cores  " + runtime.availableProcessors());
        out.println(String.format(Locale.ROOT, "max heap   %.1f GiB", runtime.maxMemory() / (double) (1L << 30)));

        out.println();
        out.println("backend providers (highest priority first):");
        List<BackendProvider> providers = Backends.providers();
        if (providers.isEmpty()) {
            out.println("  none found on the class path (is backlight-cpu-fallback there?)");
        }
        for (BackendProvider p : providers) {
            Availability a = availability(p);
            out.println(String.format(Locale.ROOT, "  %-6s priority %3d  %-11s %s", p.name(), p.priority(),
                    a.available() ? "available" : "unavailable", a.reason()));
            for (BackendDetail d : details(p)) {
                out.println(String.format(Locale.ROOT, "           %-14s %s", d.name(), d.value()));
            }
        }
        out.println();
        out.println("selection for 'auto':");
        try {
            out.print(indent(Backends.select("auto").report()));
        } catch (BackendUnavailableException e) {
            out.println("  none: " + e.getMessage());
        }

        out.println();
        out.println("attribution methods:");
        for (Map.Entry<String, AttributionMethod> m : AttributionMethods.all().entrySet()) {
            String rules = String.join("+", m.getValue().rules().stream().map(r -> r.id()).toList());
            out.println(String.format(Locale.ROOT, "  %-20s rule %-16s %s", m.getKey(), rules, m.getValue().description()));
        }
        out.println("ReLU rules: " + String.join(", ", ReluRules.ids()));
        out.flush();
        return ExitCodes.OK;
    }

    private static List<BackendDetail> details(BackendProvider p) {
        try {
            return p.details();
        } catch (RuntimeException | LinkageError e) {
            return List.of(new BackendDetail("details", "its probe failed: " + e));
        }
    }

    private static Availability availability(BackendProvider p) {
        try {
            return p.availability();
        } catch (RuntimeException | LinkageError e) {
            return Availability.unavailable("its availability probe failed: " + e);
        }
    }

    private static String indent(String text) {
        return text.lines().map(line -> "  " + line + System.lineSeparator()).reduce("", String::concat);
    }
}
