/** {@code backlight bench}: time and memory per batch size, tables, JSON and plots. Internal to the command line. */
package dev.backlight.cli.bench;
