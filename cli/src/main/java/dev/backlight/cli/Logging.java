package dev.backlight.cli;

import dev.backlight.api.internal.Settings;

/**
 * Configures slf4j-simple, which prints SLF4J's and (through slf4j-jdk-platform-logging) the
 * library's {@link System.Logger} messages to stderr: warnings and errors only by default; with
 * {@code --verbose}, info from everything and debug from Backlight.
 *
 * <p>slf4j-simple reads its settings once, when the first logger is created, so {@link
 * #configure} must run before any logging; a later call has no effect in the same JVM. Settings
 * given on the command line ({@code -Dorg.slf4j.simpleLogger.defaultLogLevel=debug}) win over the
 * default level, but {@code --verbose} always raises it.
 */
public final class Logging {
    private static final String PREFIX = "org.slf4j.simpleLogger.";

    private Logging() {
    }

    /** Sets the log levels and the line format; call before the first logger is created. */
    public static void configure(boolean verbose) {
        if (verbose) {
            System.setProperty(PREFIX + "defaultLogLevel", "info");
            System.setProperty(PREFIX + "log.dev.backlight", "debug");
        } else {
            setIfAbsent("defaultLogLevel", "warn");
        }
        setIfAbsent("showThreadName", "false");
        setIfAbsent("showShortLogName", "true");
    }

    private static void setIfAbsent(String key, String value) {
        if (System.getProperty(PREFIX + key) == null) {
            System.setProperty(PREFIX + key, value);
        }
    }
}
