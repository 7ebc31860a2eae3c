/**
 * Internal to Backlight: the execution plan every backend runs (fused batch norm + ReLU, zero-copy
 * dense blocks, buffers shared by liveness). Not part of the public API; free to change in any release.
 */
package dev.backlight.api.internal.plan;
