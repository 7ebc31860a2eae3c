/** {@code backlight explain}: inputs expanded and planned, run in batches through the library's Explainer, outputs written atomically, reports. Internal to the command line. */
package dev.backlight.cli.explain;
