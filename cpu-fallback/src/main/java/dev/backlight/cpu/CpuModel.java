package dev.backlight.cpu;

import dev.backlight.api.Shape;
import dev.backlight.api.Tensor;
import dev.backlight.api.internal.CallGuard;
import dev.backlight.api.backend.CompiledModel;
import dev.backlight.api.graph.Graph;
import dev.backlight.api.rule.ReluRule;
import java.util.Objects;

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
            return runForward(input);
        } finally {
            guard.exit();
        }
    }

    private Tensor runForward(Tensor input) {
        Objects.requireNonNull(input, "input");
        Shape s = input.shape();
        Shape expected = plan.graph.inputShape();
        if (s.rank() != expected.rank() + 1 || !s.withBatch(1).equals(prepend(1, expected)) || s.dim(0) < 1) {
            throw new IllegalArgumentException("input of shape " + s + " does not fit graph " + plan.graph.name()
                    + ", which takes [N, " + expected.toString().substring(1) + " with N >= 1");
        }
        int batch = s.dim(0);
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
        Objects.requireNonNull(seed, "seed");
        Objects.requireNonNull(rule, "rule");
        if (!forwardDone) {
            throw new IllegalStateException("backward needs a forward pass first");
        }
        Shape outShape = prepend(frame.batch, plan.graph.outputShape());
        if (!seed.shape().equals(outShape)) {
            throw new IllegalArgumentException("seed has shape " + seed.shape() + " but the last forward's output is " + outShape);
        }
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
            Value v = observed(node);
            if (!forwardDone) {
                throw new IllegalStateException("no forward pass has run");
            }
            return copyOut(frame.data(v), v, shapeOf(node));
        } finally {
            guard.exit();
        }
    }

    @Override
    public Tensor gradient(String node) {
        guard.enter("gradient");
        try {
            Value v = observed(node);
            if (!backwardDone) {
                throw new IllegalStateException("no backward pass has run since the last forward");
            }
            return copyOut(frame.grad(v), v, shapeOf(node));
        } finally {
            guard.exit();
        }
    }

    private Value observed(String node) {
        Value v = plan.observed.get(node);
        if (v == null) {
            throw new IllegalArgumentException("node '" + node + "' was not observed; compile with CompileOptions.observing(\"" + node + "\")");
        }
        return v;
    }

    private Shape shapeOf(String node) {
        return plan.graph.nodes().stream().filter(n -> n.name().equals(node)).findFirst().orElseThrow().shape();
    }

    private Tensor copyOut(float[] buffer, Value v, Shape perImage) {
        Shape shape = prepend(frame.batch, perImage);
        float[] out = new float[shape.size()];
        for (int i = 0; i < frame.batch; i++) {
            System.arraycopy(buffer, v.offset(i), out, i * v.size(), v.size());
        }
        return Tensor.of(shape, out);
    }

    private static Shape prepend(int n, Shape s) {
        int[] dims = new int[s.rank() + 1];
        dims[0] = n;
        System.arraycopy(s.dims(), 0, dims, 1, s.rank());
        return Shape.of(dims);
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
