package dev.backlight.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;
import picocli.CommandLine.IVersionProvider;

/**
 * The project version: from {@code version.properties} beside this class (filled in by the build),
 * else from the jar manifest's {@code Implementation-Version}, else {@code "unknown"}.
 */
public final class VersionProvider implements IVersionProvider {
    private static final String RESOURCE = "version.properties";

    /** The Backlight version, such as {@code 0.1.0}. */
    public static String version() {
        try (InputStream in = VersionProvider.class.getResourceAsStream(RESOURCE)) {
            if (in != null) {
                Properties p = new Properties();
                p.load(in);
                String v = p.getProperty("version");
                if (v != null && !v.isBlank() && !v.startsWith("${")) {
                    return v.trim();
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read resource " + RESOURCE + " of the backlight jar", e);
        }
        String manifest = VersionProvider.class.getPackage().getImplementationVersion();
        return manifest != null ? manifest : "unknown";
    }

    @Override
    public String[] getVersion() {
        return new String[] {"backlight " + version()};
    }
}
