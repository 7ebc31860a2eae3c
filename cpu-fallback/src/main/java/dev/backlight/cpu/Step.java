package dev.backlight.cpu;

import dev.backlight.api.rule.ReluRule;

/**
 * One executable step of a plan: reads input values, writes its output value in the forward
 * pass; in the backward pass adds the gradient of its inputs (never overwrites: several
 * consumers accumulate into one gradient).
 */
abstract class Step {
    final String name;
    final Value[] inputs;
    final Value output;

    Step(String name, Value[] inputs, Value output) {
        this.name = name;
        this.inputs = inputs;
        this.output = output;
    }

    abstract void forward(Frame f);

    abstract void backward(Frame f, ReluRule rule);

    /** Floats of {@link Frame#scratch} this step needs. */
    int scratchSize() {
        return 0;
    }

    /** Ints per image of max-pool indices this step keeps (0 for none). */
    int indexSize() {
        return 0;
    }

    @Override
    public String toString() {
        return getClass().getSimpleName() + "(" + name + ")";
    }
}
