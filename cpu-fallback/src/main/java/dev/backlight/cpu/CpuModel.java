package dev.backlight.cpu;

import dev.backlight.api.Shape;
import dev.backlight.api.Tensor;
import dev.backlight.api.backend.CompiledModel;
import dev.backlight.api.graph.Graph;
import dev.backlight.api.rule.ReluRule;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A graph compiled for the CPU backend; see {@link CompiledModel} for the contract.
 *
 * <p>One call at a time: every call takes {@link #owner} on entry and gives it back on exit, and a
 * call that finds it taken (another thread's call, or a rule re-entering the model) throws
 * {@link IllegalStateException} at once rather than compute from buffers the other call is
 * rewriting. The check is one compare-and-set per call; it is not a lock, so nothing ever waits.
 */
final class CpuModel implements CompiledModel {
    private final ExecutionPlan plan;
    private final Workers workers;
    private final Runnable onClose;
    /** The thread inside a call on this model, or null. */
    private final AtomicReference<Thread> owner = new AtomicReference<>();
    /** The operation {@link #owner} is running, for the message of an overlapping call. */
    private volatile String ownerOperation;
    // Only touched by the owner; the owner's compare-and-set orders them between calls.
    private Frame frame;
    private boolean forwardDone;
    private boolean backwardDone;
    private volatile boolean closed;

    CpuModel(ExecutionPlan plan, Workers workers, Runnable onClose) {
        this.plan = plan;
        this.workers = workers;
        this.onClose = onClose;
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
        enter("forward");
        try {
            return runForward(input);
        } finally {
            exit();
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
        enter("backward");
        try {
            return runBackward(seed, rule);
        } finally {
            exit();
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
        enter("activation");
        try {
            Value v = observed(node);
            if (!forwardDone) {
                throw new IllegalStateException("no forward pass has run");
            }
            return copyOut(frame.data(v), v, shapeOf(node));
        } finally {
            exit();
        }
    }

    @Override
    public Tensor gradient(String node) {
        enter("gradient");
        try {
            Value v = observed(node);
            if (!backwardDone) {
                throw new IllegalStateException("no backward pass has run since the last forward");
            }
            return copyOut(frame.grad(v), v, shapeOf(node));
        } finally {
            exit();
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

    /** Takes ownership of this model for one call, or throws if another call holds it or it is closed. */
    private void enter(String operation) {
        Thread me = Thread.currentThread();
        if (!owner.compareAndSet(null, me)) {
            if (closed) {
                throw new IllegalStateException("this compiled model is closed");
            }
            Thread other = owner.get();
            String running = ownerOperation == null ? "a call" : ownerOperation;
            String who = other == me ? "this same thread (a rule or callback re-entered the model)"
                    : other == null ? "another thread (it has just finished)" : "thread '" + other.getName() + "'";
            throw new IllegalStateException("CompiledModel." + operation + " called on thread '" + me.getName()
                    + "' while " + who + " is running " + running + " on the same model of graph "
                    + plan.graph.name() + "; a compiled model runs one call at a time: compile one model per thread,"
                    + " or share a dev.backlight.api.backend.ModelPool");
        }
        ownerOperation = operation;
        if (closed) {
            exit();
            throw new IllegalStateException("this compiled model is closed");
        }
    }

    /** Ends a call; frees the buffers if the model was closed while the call ran. */
    private void exit() {
        ownerOperation = null;
        owner.set(null);
        if (closed) {
            freeIfIdle();
        }
    }

    /**
     * Drops the buffers unless a call holds them; whichever of {@link #close} and {@link #exit} comes
     * last (both read {@code closed} after it was set) frees them.
     */
    private void freeIfIdle() {
        if (owner.compareAndSet(null, Thread.currentThread())) {
            frame = null;
            forwardDone = false;
            backwardDone = false;
            owner.set(null);
        }
    }

    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        freeIfIdle();
        onClose.run();
    }
}
