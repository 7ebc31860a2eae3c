/**
 * Internal to Backlight: shared by its own modules (backends, the facade, the CLI), not part of the
 * public API, and free to change in any release. Applications must not use these packages.
 */
package dev.backlight.api.internal;
