/**
 * The {@code backlight} command line: {@link dev.backlight.cli.Backlight} with the subcommands
 * {@link dev.backlight.cli.ExplainCommand} (attribution maps, pictures and reports for images,
 * folders, globs and {@code .npy} arrays, run by {@link dev.backlight.cli.ExplainRun}), {@link
 * dev.backlight.cli.InfoCommand} (version, runtime, backends, methods) and picocli's {@code
 * generate-completion}. Exit codes are in {@link dev.backlight.cli.ExitCodes}; failures print
 * {@code backlight: error:} lines.
 */
package dev.backlight.cli;
