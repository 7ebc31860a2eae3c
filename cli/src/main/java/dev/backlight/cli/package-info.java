/**
 * The {@code backlight} command line, a thin layer over the library facade ({@code dev.backlight}):
 * {@link dev.backlight.cli.Backlight} (entry point and subcommands), the options and errors the
 * commands share ({@link dev.backlight.cli.ExitCodes}, {@link dev.backlight.cli.FailureReporter},
 * {@link dev.backlight.cli.MethodOptions}, {@link dev.backlight.cli.BackendSettings}), and one
 * package per command: {@code explain} (maps, pictures and reports for images, folders, globs and
 * {@code .npy} arrays), {@code bench} (speed and memory per batch size), {@code sanity}
 * (model-randomization checks), {@code info} (version, runtime, backends, methods); {@code progress}
 * draws progress bars and lines. Internal to the command: not an API.
 */
package dev.backlight.cli;
