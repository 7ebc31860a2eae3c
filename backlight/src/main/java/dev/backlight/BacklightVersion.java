package dev.backlight;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/** The version of this Backlight build, such as {@code 0.1.0}, written into every picture's metadata. */
public final class BacklightVersion {
    private static final String VERSION = read();

    private BacklightVersion() {
    }

    /** The version, or {@code unknown} when the build did not record it. */
    public static String get() {
        return VERSION;
    }

    private static String read() {
        try (InputStream in = BacklightVersion.class.getResourceAsStream("version.properties")) {
            if (in != null) {
                Properties p = new Properties();
                p.load(in);
                String v = p.getProperty("version");
                if (v != null && !v.isBlank() && !v.startsWith("${")) {
                    return v.trim();
                }
            }
        } catch (IOException e) {
            // fall through to the manifest
        }
        String manifest = BacklightVersion.class.getPackage().getImplementationVersion();
        return manifest != null ? manifest : "unknown";
    }
}
