package dev.backlight.cpu;

import dev.backlight.api.Shape;
import dev.backlight.api.Tensor;
import dev.backlight.api.internal.CallGuard;
import dev.backlight.api.internal.ModelChecks;
import dev.backlight.api.backend.CompiledModel;
import dev.backlight.api.graph.Graph;
import dev.backlight.api.rule.ReluRule;

/**
 * A graph compiled for the CPU backend; see {@link CompiledModel} for the contract.
 *
 * <p>One call at a time ({@link CallGuard}): a call that finds another inside (another thread's, or
 * a rule re-entering the model) throws {@link IllegalStateException} at once rather than compute
 * from buffers the other call is rewriting. It is one compare-and-set per call, not a lock.
 */
final class CpuModel implements CompiledModel {
    private final ExecutionPlan plan;
    private final Workers workers;
    private final Runnable onClose;
    /** One call at a time; frees the buffers when the model is closed and no call is in flight. */
    private final CallGuard guard;
    // Only touched inside a call; the guard's compare-and-set orders them between calls.
    private Frame frame;
    private boolean forwardDone;
    private boolean backwardDone;

    CpuModel(ExecutionPlan plan, Workers workers, Runnable onClose) {
        this.plan = plan;
        this.workers = workers;
        this.onClose = onClose;
        this.guard = new CallGuard("the same model of graph " + plan.graph.name(), () -> {
            frame = null;
            forwardDone = false;
            backwardDone = false;
        });
    }

    @Override
    public Graph graph() {
        return plan.graph;
    }

    @Override
    public String backendName() {
        return CpuBackendProvider.NAME;
    }

    @Override
    public Tensor forward(Tensor input) {
        guard.enter("forward");
        try {
            JitWarmUp.realWorkStarted(workers);
            return runForward(input);
        } finally {
            guard.exit();
        }
    }

    private Tensor runForward(Tensor input) {
        int batch = ModelChecks.requireInput(plan.graph, input);
        forwardDone = false;
        backwardDone = false;
        if (frame == null || frame.batch != batch) {
            frame = null;
            frame = new Frame(batch, workers, toArray(plan.dataSizes), toArray(plan.gradSizes),
                    toArray(plan.indexSizes), plan.scratchSize);
        }
        plan.inputStep.bind(input.data());
        for (Step step : plan.steps) {
            long t0 = StepProfile.ENABLED ? System.nanoTime() : 0;
            step.forward(frame);
            if (StepProfile.ENABLED) {
                StepProfile.add(step, true, System.nanoTime() - t0);
            }
        }
        forwardDone = true;
        return copyOut(frame.data(plan.output), plan.output, plan.graph.outputShape());
    }

    @Override
    public Tensor backward(Tensor seed, ReluRule rule) {
        guard.enter("backward");
        try {
            return runBackward(seed, rule);
        } finally {
            guard.exit();
        }
    }

    private Tensor runBackward(Tensor seed, ReluRule rule) {
        ModelChecks.requireSeed(plan.graph, forwardDone, forwardDone ? frame.batch : 0, seed, rule);
        for (int b : plan.groupGradBuffers) {
            java.util.Arrays.fill(frame.grad[b], 0f);
        }
        Value out = plan.output;
        float[] g = frame.grad(out);
        for (int i = 0; i < frame.batch; i++) {
            System.arraycopy(seed.data(), i * out.size(), g, out.offset(i), out.size());
        }
        for (int s = plan.steps.size() - 1; s >= 0; s--) {
            for (Value v : plan.zeroBeforeBackward.get(s)) {
                frame.zeroGrad(v);
            }
            long t0 = StepProfile.ENABLED ? System.nanoTime() : 0;
            plan.steps.get(s).backward(frame, rule);
            if (StepProfile.ENABLED) {
                StepProfile.add(plan.steps.get(s), false, System.nanoTime() - t0);
            }
        }
        Value in = plan.inputStep.output;
        backwardDone = true;
        return copyOut(frame.grad(in), in, plan.graph.inputShape());
    }

    @Override
    public Tensor activation(String node) {
        guard.enter("activation");
        try {
            Value v = ModelChecks.requireObserved(plan.observed, node);
            ModelChecks.requireRun(forwardDone, false);
            return copyOut(frame.data(v), v, ModelChecks.nodeShape(plan.graph, node));
        } finally {
            guard.exit();
        }
    }

    @Override
    public Tensor gradient(String node) {
        guard.enter("gradient");
        try {
            Value v = ModelChecks.requireObserved(plan.observed, node);
            ModelChecks.requireRun(backwardDone, true);
            return copyOut(frame.grad(v), v, ModelChecks.nodeShape(plan.graph, node));
        } finally {
            guard.exit();
        }
    }

    private Tensor copyOut(float[] buffer, Value v, Shape perImage) {
        Shape shape = ModelChecks.batched(frame.batch, perImage);
        float[] out = new float[shape.size()];
        for (int i = 0; i < frame.batch; i++) {
            System.arraycopy(buffer, v.offset(i), out, i * v.size(), v.size());
        }
        return Tensor.of(shape, out);
    }

    private static int[] toArray(java.util.List<Integer> list) {
        return list.stream().mapToInt(Integer::intValue).toArray();
    }

    @Override
    public void close() {
        if (guard.close()) {
            onClose.run();
        }
    }
}
