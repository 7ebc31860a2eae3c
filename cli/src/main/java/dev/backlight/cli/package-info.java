/**
 * The {@code backlight} command line: {@link dev.backlight.cli.Backlight} with the subcommands
 * {@link dev.backlight.cli.ExplainCommand} (attribution maps for images and {@code .npy} arrays)
 * and {@link dev.backlight.cli.InfoCommand} (version, runtime, backends, methods). Exit codes are
 * in {@link dev.backlight.cli.ExitCodes}; failures print one {@code backlight: error:} line.
 */
package dev.backlight.cli;
