/** Progress display of long commands: a bar on a terminal, plain lines elsewhere, or nothing. Internal to the command line. */
package dev.backlight.cli.progress;
