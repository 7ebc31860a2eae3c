/** {@code backlight info}: version, Java, CPU, every backend found and why it can or cannot run, methods and rules. Internal to the command line. */
package dev.backlight.cli.info;
