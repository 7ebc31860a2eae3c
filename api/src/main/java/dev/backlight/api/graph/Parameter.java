package dev.backlight.api.graph;

import dev.backlight.api.Shape;

/**
 * A named weight tensor a graph needs, with its role (which tells weight generators and
 * validators what kind of values belong there).
 */
public record Parameter(String name, Shape shape, Role role) {

    /** What a parameter is for. */
    public enum Role {
        CONV_WEIGHT, CONV_BIAS, BN_WEIGHT, BN_BIAS, BN_RUNNING_MEAN, BN_RUNNING_VAR, LINEAR_WEIGHT, LINEAR_BIAS
    }
}
