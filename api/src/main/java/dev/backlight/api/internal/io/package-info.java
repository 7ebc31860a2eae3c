/**
 * Internal to Backlight: file helpers (atomic writes, little-endian float I/O) shared by its modules.
 * Not part of the public API; free to change in any release.
 */
package dev.backlight.api.internal.io;
