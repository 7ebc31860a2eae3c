package dev.backlight.cuda;

import dev.backlight.api.BackendUnavailableException;
import dev.backlight.api.Tensor;
import dev.backlight.api.internal.CallGuard;
import dev.backlight.api.internal.Failures;
import dev.backlight.api.internal.ModelChecks;
import dev.backlight.api.backend.CompiledModel;
import dev.backlight.api.graph.Graph;
import dev.backlight.api.internal.plan.GraphPlan;
import dev.backlight.api.internal.plan.PlanStep;
import dev.backlight.api.internal.plan.PlanValue;
import dev.backlight.api.rule.BuiltinRule;
import dev.backlight.api.rule.ReluRule;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A graph compiled for the CUDA backend; see {@link CompiledModel} for the contract.
 *
 * <p>Device memory: the parameters, uploaded once, and one activation allocation holding every
 * buffer of the {@link GraphPlan} for {@link #capacity()} images. A forward on more images than
 * fit runs in chunks of the capacity: the capacity is chosen from the device's free memory, and
 * an allocation that still fails (also inside cuDNN's workspace) halves it and retries. With
 * chunks, a backward pass recomputes the forward of every chunk but the resident one, so results
 * do not depend on how the batch was split (each image's arithmetic is the same).
 *
 * <p>The caller's input is kept on the host for those recomputations; logits, maps and observed
 * activations and gradients are copied to the host as each chunk completes.
 */
final class CudaModel implements CompiledModel {
    /** Alignment of every buffer, in bytes (cuDNN and coalesced access want 256). */
    static final long ALIGN = 256;
    /** Share of the free device memory a model sizes its buffers for. */
    private static final double FREE_MEMORY_SHARE = 0.8;

    private final GraphPlan plan;
    private final Device device;
    private final CallGuard guard;
    private final long parameterBlock;
    private final long[] parameterAddress;
    private final long bytesPerImage;
    /** The most images one chunk may hold: no tensor may span more than {@link Device#maxTensorElements()}. */
    private final int maxImagesPerChunk;
    /** Device vectors a = 1 and b = 0, for plain ReLUs. */
    private final long ones;
    private final long zeros;

    private long activationBlock;
    private int capacity;
    private long[] dataAddress;
    private long[] gradAddress;
    private long[] argmaxAddress;

    // The last forward: its input (host), chunks, and what the caller may read back.
    private float[] input;
    private int batch;
    private int residentChunkStart = -1;
    private boolean forwardDone;
    private boolean backwardDone;
    private final Map<String, float[]> activations = new HashMap<>();
    private final Map<String, float[]> gradients = new HashMap<>();

    CudaModel(GraphPlan plan, Device device, Runnable onClose) {
        this.plan = plan;
        this.device = device;
        this.guard = new CallGuard("the CUDA model of graph " + plan.graph().name(), () -> release(onClose));
        // The plan's parameters, then a = 1 and b = 0 for the plain ReLUs (run as batch norm + ReLU).
        int reluChannels = plan.steps().stream().filter(s -> s instanceof PlanStep.Relu).mapToInt(s -> s.output().channels()).max().orElse(1);
        float[] unitScale = new float[reluChannels];
        java.util.Arrays.fill(unitScale, 1f);
        List<float[]> host = new ArrayList<>();
        for (int i = 0; i < plan.parameterCount(); i++) {
            host.add(plan.parameter(i));
        }
        host.add(unitScale);
        host.add(new float[reluChannels]);
        long total = 0;
        long[] offsets = new long[host.size()];
        for (int i = 0; i < offsets.length; i++) {
            offsets[i] = total;
            total += align(4L * host.get(i).length);
        }
        this.bytesPerImage = layout(1, null, null, null);
        long widestImage = java.util.stream.Stream.concat(plan.dataSizes().stream(), plan.gradSizes().stream())
                .mapToLong(Number::longValue).max().orElse(1);
        long maxImages = device.maxTensorElements() / Math.max(1, widestImage);
        if (maxImages < 1) {
            device.close();
            throw new IllegalArgumentException("graph " + plan.graph().name() + " needs a tensor of " + widestImage
                    + " floats for one image, more than the " + device.maxTensorElements()
                    + " elements cuDNN takes in one tensor; use a smaller input size");
        }
        this.maxImagesPerChunk = (int) Math.min(Integer.MAX_VALUE, maxImages);
        long block = 0;
        try {
            block = device.allocate(Math.max(total, ALIGN), "parameters of " + plan.graph().name());
            parameterAddress = new long[offsets.length];
            for (int i = 0; i < offsets.length; i++) {
                parameterAddress[i] = block + offsets[i];
                float[] p = host.get(i);
                device.upload(p, 0, p.length, parameterAddress[i]);
            }
            device.synchronize();
        } catch (RuntimeException e) {
            if (block != 0) {
                device.free(block);
            }
            device.close();
            throw e;
        }
        this.parameterBlock = block;
        this.ones = parameterAddress[host.size() - 2];
        this.zeros = parameterAddress[host.size() - 1];
    }

    @Override
    public Graph graph() {
        return plan.graph();
    }

    @Override
    public String backendName() {
        return CudaBackendProvider.NAME;
    }

    /** Images the device buffers hold now (0 before the first forward). */
    int capacity() {
        return capacity;
    }

    /** Device bytes of the activation buffers per image. */
    long bytesPerImage() {
        return bytesPerImage;
    }

    @Override
    public Tensor forward(Tensor x) {
        guard.enter("forward");
        try {
            int n = ModelChecks.requireInput(plan.graph(), x);
            forwardDone = false;
            backwardDone = false;
            batch = n;
            input = x.data().clone();
            activations.clear();
            gradients.clear();
            plan.observed().forEach((name, v) -> activations.put(name, new float[batch * v.size()]));
            float[] logits = new float[batch * plan.output().size()];
            residentChunkStart = -1;
            runChunked((start, count) -> {
                forwardChunk(start, count);
                download(plan.output(), false, start, count, logits);
                for (var e : plan.observed().entrySet()) {
                    download(e.getValue(), false, start, count, activations.get(e.getKey()));
                }
            });
            forwardDone = true;
            return Tensor.of(ModelChecks.batched(batch, plan.graph().outputShape()), logits);
        } finally {
            guard.exit();
        }
    }

    @Override
    public Tensor backward(Tensor seed, ReluRule rule) {
        guard.enter("backward");
        try {
            ModelChecks.requireSeed(plan.graph(), forwardDone, batch, seed, rule);
            int ruleId = ruleId(rule);
            backwardDone = false;
            plan.observed().forEach((name, v) -> gradients.put(name, new float[batch * v.size()]));
            PlanValue in = plan.input().output();
            float[] map = new float[batch * in.size()];
            runChunked((start, count) -> {
                if (start != residentChunkStart) {
                    forwardChunk(start, count);
                }
                backwardChunk(start, count, seed.data(), ruleId);
                download(in, true, start, count, map);
                for (var e : plan.observed().entrySet()) {
                    download(e.getValue(), true, start, count, gradients.get(e.getKey()));
                }
            });
            backwardDone = true;
            return Tensor.of(ModelChecks.batched(batch, plan.graph().inputShape()), map);
        } finally {
            guard.exit();
        }
    }

    @Override
    public Tensor activation(String node) {
        guard.enter("activation");
        try {
            ModelChecks.requireObserved(plan.observed(), node);
            ModelChecks.requireRun(forwardDone, false);
            return Tensor.of(ModelChecks.batched(batch, ModelChecks.nodeShape(plan.graph(), node)), activations.get(node).clone());
        } finally {
            guard.exit();
        }
    }

    @Override
    public Tensor gradient(String node) {
        guard.enter("gradient");
        try {
            ModelChecks.requireObserved(plan.observed(), node);
            ModelChecks.requireRun(backwardDone, true);
            return Tensor.of(ModelChecks.batched(batch, ModelChecks.nodeShape(plan.graph(), node)), gradients.get(node).clone());
        } finally {
            guard.exit();
        }
    }

    @Override
    public void close() {
        guard.close();
    }

    // ---- chunking and capacity ----

    private interface ChunkWork {
        void run(int start, int count);
    }

    /** The chunk starts for the current capacity, {@code first} (if a chunk start) first. */
    private List<Integer> chunkStarts(int first) {
        List<Integer> starts = new ArrayList<>();
        for (int s = 0; s < batch; s += capacity == 0 ? batch : capacity) {
            starts.add(s);
        }
        if (starts.remove((Integer) first)) {
            starts.add(0, first);
        }
        return starts;
    }

    /**
     * Runs the work chunk by chunk; sizes the buffers first, and on a device out-of-memory halves
     * the capacity and starts over (the work of a chunk is idempotent).
     */
    private void runChunked(ChunkWork work) {
        ensureCapacity(batch);
        while (true) {
            try {
                for (int start : chunkStarts(residentChunkStart)) {
                    int count = Math.min(capacity, batch - start);
                    work.run(start, count);
                    residentChunkStart = start;
                }
                return;
            } catch (DeviceOutOfMemoryException e) {
                if (capacity <= 1) {
                    throw e;
                }
                residentChunkStart = -1;
                allocateActivations(capacity / 2);
            }
        }
    }

    /** Makes the buffers hold min(wanted, what fits) images, at least one; never shrinks them. */
    private void ensureCapacity(int wanted) {
        if (capacity >= wanted) {
            return;
        }
        int target = fitting(wanted);
        if (target > capacity) {
            residentChunkStart = -1;
            allocateActivations(target);
        }
    }

    /**
     * How many of {@code wanted} images the free device memory holds, counting what this model
     * holds already, and at most {@link #maxImagesPerChunk} (a device with room for more would
     * otherwise make tensors cuDNN refuses, which is not an out-of-memory and would not be split).
     */
    private int fitting(int wanted) {
        long free = device.freeBytes() + (activationBlock == 0 ? 0 : align(bytesPerImage * capacity));
        long fit = (long) (free * FREE_MEMORY_SHARE) / Math.max(1, bytesPerImage);
        return (int) Math.max(1, Math.min(Math.min(wanted, fit), maxImagesPerChunk));
    }

    /** The most images one chunk may hold (tensor size limit). */
    int maxImagesPerChunk() {
        return maxImagesPerChunk;
    }

    /** Frees the activation buffers and allocates them for {@code images}, halving on out-of-memory. */
    private void allocateActivations(int images) {
        freeActivations();
        int n = images;
        while (true) {
            try {
                long bytes = layout(n, null, null, null);
                long block = device.allocate(bytes, "activations of " + plan.graph().name() + " for " + n + " image" + (n == 1 ? "" : "s"));
                activationBlock = block;
                capacity = n;
                dataAddress = new long[plan.dataSizes().size()];
                gradAddress = new long[plan.gradSizes().size()];
                argmaxAddress = new long[plan.argmaxSizes().size()];
                layout(n, dataAddress, gradAddress, argmaxAddress);
                for (int i = 0; i < dataAddress.length; i++) {
                    dataAddress[i] += block;
                }
                for (int i = 0; i < gradAddress.length; i++) {
                    gradAddress[i] += block;
                }
                for (int i = 0; i < argmaxAddress.length; i++) {
                    argmaxAddress[i] += block;
                }
                return;
            } catch (DeviceOutOfMemoryException e) {
                if (n <= 1) {
                    throw e;
                }
                n /= 2;
            }
        }
    }

    /** Bytes of all buffers for {@code n} images; fills the offsets of each buffer if the arrays are given. */
    private long layout(int n, long[] data, long[] grad, long[] argmax) {
        long offset = 0;
        for (int i = 0; i < plan.dataSizes().size(); i++) {
            if (data != null) {
                data[i] = offset;
            }
            offset += align(4L * n * plan.dataSizes().get(i));
        }
        for (int i = 0; i < plan.gradSizes().size(); i++) {
            if (grad != null) {
                grad[i] = offset;
            }
            offset += align(4L * n * plan.gradSizes().get(i));
        }
        for (int i = 0; i < plan.argmaxSizes().size(); i++) {
            if (argmax != null) {
                argmax[i] = offset;
            }
            offset += align(4L * n * plan.argmaxSizes().get(i));
        }
        return Math.max(offset, ALIGN);
    }

    private void freeActivations() {
        if (activationBlock != 0) {
            device.free(activationBlock);
            activationBlock = 0;
            capacity = 0;
        }
    }

    // ---- the passes ----

    private void forwardChunk(int start, int n) {
        for (PlanStep step : plan.steps()) {
            if (step instanceof PlanStep.Input s) {
                upload(input, start, n, s.output());
            } else if (step instanceof PlanStep.Conv s) {
                device.convForward(conv(s), parameterAddress[s.weight()], data(s.input()), data(s.output()), n);
                if (s.bias() >= 0) {
                    device.addChannelBias(parameterAddress[s.bias()], data(s.output()), n);
                }
            } else if (step instanceof PlanStep.BatchNormRelu s) {
                device.batchNormRelu(data(s.input()), data(s.output()), parameterAddress[s.scale()], parameterAddress[s.shift()], s.relu(), n);
            } else if (step instanceof PlanStep.Relu s) {
                device.batchNormRelu(data(s.input()), data(s.output()), ones, zeros, true, n);
            } else if (step instanceof PlanStep.MaxPool s) {
                device.maxPool(pool(s), data(s.input()), data(s.output()), argmaxAddress[s.argmaxBuffer()], n);
            } else if (step instanceof PlanStep.AvgPool s) {
                device.avgPool(pool(s), data(s.input()), data(s.output()), n);
            } else if (step instanceof PlanStep.GlobalAvgPool s) {
                device.globalAvgPool(data(s.input()), packed(s.output(), false), n);
            } else if (step instanceof PlanStep.Linear s) {
                device.linear(packed(s.input(), false), parameterAddress[s.weight()], s.bias() < 0 ? 0 : parameterAddress[s.bias()],
                        packed(s.output(), false), s.input().size(), s.output().size(), n);
            } else if (step instanceof PlanStep.ConcatCopy s) {
                device.zero(packed(s.output(), false), (long) n * s.output().size());
                int offset = 0;
                for (PlanValue part : s.parts()) {
                    device.sliceAdd(data(part), slice(s.output(), false, offset, part.channels()), n);
                    offset += part.channels();
                }
            } else {
                throw unknownStep(step);
            }
        }
    }

    private void backwardChunk(int start, int n, float[] seed, int rule) {
        for (int b : plan.blockGradBuffers()) {
            device.zero(gradAddress[b], n * plan.gradSizes().get(b));
        }
        upload(seed, start, n, plan.output(), gradAddress[plan.output().gradBuffer()]);
        for (int i = plan.steps().size() - 1; i >= 0; i--) {
            for (PlanValue v : plan.zeroBeforeBackward(i)) {
                device.zero(packed(v, true), (long) n * v.size());
            }
            PlanStep step = plan.steps().get(i);
            if (step instanceof PlanStep.Conv s) {
                device.convBackwardData(conv(s), parameterAddress[s.weight()], grad(s.output()), grad(s.input()), n);
            } else if (step instanceof PlanStep.BatchNormRelu s) {
                device.batchNormReluBackward(data(s.input()), grad(s.output()), grad(s.input()), parameterAddress[s.scale()],
                        parameterAddress[s.shift()], s.relu(), rule, n);
            } else if (step instanceof PlanStep.Relu s) {
                device.batchNormReluBackward(data(s.input()), grad(s.output()), grad(s.input()), ones, zeros, true, rule, n);
            } else if (step instanceof PlanStep.MaxPool s) {
                device.maxPoolBackward(pool(s), grad(s.output()), argmaxAddress[s.argmaxBuffer()], grad(s.input()), n);
            } else if (step instanceof PlanStep.AvgPool s) {
                device.avgPoolBackward(pool(s), grad(s.output()), grad(s.input()), n);
            } else if (step instanceof PlanStep.GlobalAvgPool s) {
                device.globalAvgPoolBackward(packed(s.output(), true), grad(s.input()), n);
            } else if (step instanceof PlanStep.Linear s) {
                device.linearBackwardData(packed(s.output(), true), parameterAddress[s.weight()], packed(s.input(), true),
                        s.input().size(), s.output().size(), n);
            } else if (step instanceof PlanStep.ConcatCopy s) {
                int offset = 0;
                for (PlanValue part : s.parts()) {
                    device.sliceAdd(slice(s.output(), true, offset, part.channels()), grad(part), n);
                    offset += part.channels();
                }
            } else if (!(step instanceof PlanStep.Input)) {
                throw unknownStep(step);
            }
        }
    }

    /** A plan step this backend has no code for: an error, never a silently skipped step. */
    private static IllegalStateException unknownStep(PlanStep step) {
        return new IllegalStateException("the CUDA backend cannot run plan step " + step.name() + " ("
                + step.getClass().getSimpleName() + "); this version of the backend does not know that operation");
    }

    private static Device.Conv conv(PlanStep.Conv s) {
        return new Device.Conv(s.input().channels(), s.output().channels(), s.kernelH(), s.kernelW(), s.stride(), s.padding());
    }

    private static Device.Pool pool(PlanStep.MaxPool s) {
        return new Device.Pool(s.kernel(), s.stride(), s.padding());
    }

    private static Device.Pool pool(PlanStep.AvgPool s) {
        return new Device.Pool(s.kernel(), s.stride(), s.padding());
    }

    private static int ruleId(ReluRule rule) {
        if (rule instanceof BuiltinRule b) {
            return switch (b) {
                case VANILLA -> 0;
                case DECONVNET -> 1;
                case GUIDED -> 2;
            };
        }
        throw new BackendUnavailableException("the CUDA backend runs only the built-in ReLU rules (vanilla, deconvnet, guided);"
                + " rule '" + rule.id() + "' needs the CPU backend (backend name 'cpu'), which runs any rule");
    }

    // ---- addresses and copies ----

    private Device.View data(PlanValue v) {
        return slice(v, false, 0, v.channels());
    }

    private Device.View grad(PlanValue v) {
        return slice(v, true, 0, v.channels());
    }

    /** Channels [from, from + channels) of a value's forward or gradient buffer. */
    private Device.View slice(PlanValue v, boolean gradient, int from, int channels) {
        long base = gradient ? gradAddress[v.gradBuffer()] : dataAddress[v.dataBuffer()];
        long address = base + 4L * (long) (v.channelOffset() + from) * v.plane();
        return new Device.View(address, channels, v.height(), v.width(), v.imageStride());
    }

    /** The address of a value whose images are contiguous ([N, size]), as the classifier and its pooling need. */
    private long packed(PlanValue v, boolean gradient) {
        if (!v.packed()) {
            throw new IllegalStateException("value " + v + " is not stored contiguously; the CUDA planner keeps such values out of blocks");
        }
        return slice(v, gradient, 0, v.channels()).address();
    }

    private void upload(float[] host, int start, int n, PlanValue v) {
        upload(host, start, n, v, dataAddress[v.dataBuffer()]);
    }

    private void upload(float[] host, int start, int n, PlanValue v, long base) {
        long address = base + 4L * v.channelOffset() * v.plane();
        if (v.packed()) {
            device.upload(host, start * v.size(), n * v.size(), address);
            return;
        }
        for (int i = 0; i < n; i++) {
            device.upload(host, (start + i) * v.size(), v.size(), address + 4L * i * v.imageStride());
        }
    }

    private void download(PlanValue v, boolean gradient, int start, int n, float[] host) {
        long address = slice(v, gradient, 0, v.channels()).address();
        if (v.packed()) {
            device.download(address, host, start * v.size(), n * v.size());
            return;
        }
        for (int i = 0; i < n; i++) {
            device.download(address + 4L * i * v.imageStride(), host, (start + i) * v.size(), v.size());
        }
    }

    static long align(long bytes) {
        return (bytes + ALIGN - 1) / ALIGN * ALIGN;
    }

    /** Frees the device memory and the device's stream and handles; runs once, when no call is in flight. */
    private void release(Runnable onClose) {
        RuntimeException first = null;
        try {
            freeActivations();
            device.free(parameterBlock);
        } catch (RuntimeException e) {
            first = e;
        }
        try {
            device.close();
        } catch (RuntimeException e) {
            first = Failures.add(first, e);
        }
        input = null;
        activations.clear();
        gradients.clear();
        onClose.run();
        if (first != null) {
            throw first;
        }
    }
}
