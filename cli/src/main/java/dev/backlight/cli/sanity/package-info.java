/** {@code backlight sanity}: does the map depend on the model? Cascading and independent randomization, similarity scores, a grid and JSON. Internal to the command line. */
package dev.backlight.cli.sanity;
