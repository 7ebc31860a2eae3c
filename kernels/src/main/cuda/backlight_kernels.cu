// Backlight's own CUDA kernels for the CUDA backend (DenseNet attribution).
//
// Layout: fp32 NCHW. A feature map is a channel slice of a block buffer: image n, channel c,
// pixel p lives at base[n * imageStride + c * plane + p]. Every kernel takes the image stride of
// each tensor it touches, so dense-block concatenation needs no copies.
//
// Determinism: no atomics. Each output element is written by exactly one thread, and every sum
// has a fixed order, so results do not depend on the launch configuration.
//
// Rounding: no kernel lets nvcc contract a multiply and an add into an FMA (it does so for a
// plain `s += a * b`). Products are written __fmul_rn and their sums __fadd_rn, so every kernel
// rounds twice, as the CPU backend and the host simulation of the CUDA backend do; the batch-norm
// affine __fadd_rn(__fmul_rn(a, x), b) in particular makes the ReLU mask recomputed in the
// backward pass bit-identical to the forward pass's. (KernelsTest checks the PTX for fma.)

#define RULE_VANILLA 0
#define RULE_DECONVNET 1
#define RULE_GUIDED 2

__device__ __forceinline__ float bn_affine(float a, float x, float b) {
    return __fadd_rn(__fmul_rn(a, x), b);
}

__device__ __forceinline__ float relu_rule(int rule, float v, float g) {
    switch (rule) {
        case RULE_VANILLA: return v > 0.0f ? g : 0.0f;
        case RULE_DECONVNET: return g > 0.0f ? g : 0.0f;
        default: return (v > 0.0f && g > 0.0f) ? g : 0.0f;
    }
}

// y = relu?(a[c] * x + b[c]) for batch x channels x plane elements.
extern "C" __global__ void bn_relu_forward(const float* __restrict__ x, long long xStride,
                                           float* __restrict__ y, long long yStride,
                                           const float* __restrict__ scale, const float* __restrict__ shift,
                                           int channels, int plane, int batch, int relu) {
    long long total = (long long) batch * channels * plane;
    for (long long i = blockIdx.x * (long long) blockDim.x + threadIdx.x; i < total;
         i += (long long) gridDim.x * blockDim.x) {
        long long per = (long long) channels * plane;
        int n = (int) (i / per);
        long long rem = i - n * per;
        int c = (int) (rem / plane);
        float v = bn_affine(scale[c], x[n * xStride + rem], shift[c]);
        y[n * yStride + rem] = (relu && !(v > 0.0f)) ? 0.0f : v;
    }
}

// The fused guided-ReLU backward: recompute the ReLU input from the block feature buffer and the
// BN affine (no stored activation), apply the rule, multiply by the BN scale a[c] = γ/√(var+ε),
// and accumulate into the block's gradient buffer: dx += a[c] * rule(a[c] * x + b[c], dy).
// With relu = 0 it is the plain BN backward dx += a[c] * dy.
extern "C" __global__ void bn_relu_backward(const float* __restrict__ x, long long xStride,
                                            const float* __restrict__ dy, long long dyStride,
                                            float* __restrict__ dx, long long dxStride,
                                            const float* __restrict__ scale, const float* __restrict__ shift,
                                            int channels, int plane, int batch, int relu, int rule) {
    long long total = (long long) batch * channels * plane;
    for (long long i = blockIdx.x * (long long) blockDim.x + threadIdx.x; i < total;
         i += (long long) gridDim.x * blockDim.x) {
        long long per = (long long) channels * plane;
        int n = (int) (i / per);
        long long rem = i - n * per;
        int c = (int) (rem / plane);
        float a = scale[c];
        float g = dy[n * dyStride + rem];
        float d = relu ? relu_rule(rule, bn_affine(a, x[n * xStride + rem], shift[c]), g) : g;
        dx[n * dxStride + rem] += __fmul_rn(a, d);
    }
}

// Max pooling forward: value and in-plane index of the FIRST maximum in row-major window order
// (PyTorch's rule; NaN wins). Padded positions never win.
extern "C" __global__ void maxpool_forward(const float* __restrict__ x, long long xStride,
                                           float* __restrict__ y, long long yStride, int* __restrict__ argmax,
                                           int channels, int h, int w, int oh, int ow,
                                           int k, int s, int p, int batch) {
    long long total = (long long) batch * channels * oh * ow;
    for (long long i = blockIdx.x * (long long) blockDim.x + threadIdx.x; i < total;
         i += (long long) gridDim.x * blockDim.x) {
        int ox = (int) (i % ow);
        int oy = (int) ((i / ow) % oh);
        int c = (int) ((i / ((long long) ow * oh)) % channels);
        int n = (int) (i / ((long long) ow * oh * channels));
        const float* plane = x + n * xStride + (long long) c * h * w;
        float best = 0.0f;
        int arg = -1;
        for (int ky = 0; ky < k && !(arg >= 0 && isnan(best)); ky++) {
            int iy = oy * s - p + ky;
            if (iy < 0 || iy >= h) continue;
            for (int kx = 0; kx < k; kx++) {
                int ix = ox * s - p + kx;
                if (ix < 0 || ix >= w) continue;
                float v = plane[iy * w + ix];
                if (arg < 0 || v > best || isnan(v)) {
                    best = v;
                    arg = iy * w + ix;
                    if (isnan(v)) break;
                }
            }
        }
        long long o = (long long) c * oh * ow + (long long) oy * ow + ox;
        y[n * yStride + o] = best;
        argmax[(long long) n * channels * oh * ow + o] = arg;
    }
}

// Max pooling backward as a gather (deterministic, no atomics): each input position sums, in
// row-major output order, the gradients of the windows whose recorded maximum it is.
extern "C" __global__ void maxpool_backward(const float* __restrict__ dy, long long dyStride,
                                            const int* __restrict__ argmax,
                                            float* __restrict__ dx, long long dxStride,
                                            int channels, int h, int w, int oh, int ow,
                                            int k, int s, int p, int batch) {
    long long total = (long long) batch * channels * h * w;
    for (long long i = blockIdx.x * (long long) blockDim.x + threadIdx.x; i < total;
         i += (long long) gridDim.x * blockDim.x) {
        int ix = (int) (i % w);
        int iy = (int) ((i / w) % h);
        int c = (int) ((i / ((long long) w * h)) % channels);
        int n = (int) (i / ((long long) w * h * channels));
        int oy0 = max(0, (iy + p - k + s) / s);
        int oy1 = min(oh - 1, (iy + p) / s);
        int ox0 = max(0, (ix + p - k + s) / s);
        int ox1 = min(ow - 1, (ix + p) / s);
        long long base = (long long) c * oh * ow;
        const int* am = argmax + (long long) n * channels * oh * ow + base;
        const float* g = dy + n * dyStride + base;
        float sum = 0.0f;
        int self = iy * w + ix;
        for (int oy = oy0; oy <= oy1; oy++) {
            for (int ox = ox0; ox <= ox1; ox++) {
                if (am[oy * ow + ox] == self) sum += g[oy * ow + ox];
            }
        }
        dx[n * dxStride + (long long) c * h * w + self] += sum;
    }
}

// Average pooling over k x k windows (padding counted in the divisor, PyTorch's default).
extern "C" __global__ void avgpool_forward(const float* __restrict__ x, long long xStride,
                                           float* __restrict__ y, long long yStride,
                                           int channels, int h, int w, int oh, int ow,
                                           int k, int s, int p, int batch) {
    long long total = (long long) batch * channels * oh * ow;
    for (long long i = blockIdx.x * (long long) blockDim.x + threadIdx.x; i < total;
         i += (long long) gridDim.x * blockDim.x) {
        int ox = (int) (i % ow);
        int oy = (int) ((i / ow) % oh);
        int c = (int) ((i / ((long long) ow * oh)) % channels);
        int n = (int) (i / ((long long) ow * oh * channels));
        const float* plane = x + n * xStride + (long long) c * h * w;
        float sum = 0.0f;
        for (int ky = 0; ky < k; ky++) {
            int iy = oy * s - p + ky;
            if (iy < 0 || iy >= h) continue;
            for (int kx = 0; kx < k; kx++) {
                int ix = ox * s - p + kx;
                if (ix >= 0 && ix < w) sum += plane[iy * w + ix];
            }
        }
        y[n * yStride + (long long) c * oh * ow + (long long) oy * ow + ox] = sum / (float) (k * k);
    }
}

// Average pooling backward as a gather.
extern "C" __global__ void avgpool_backward(const float* __restrict__ dy, long long dyStride,
                                            float* __restrict__ dx, long long dxStride,
                                            int channels, int h, int w, int oh, int ow,
                                            int k, int s, int p, int batch) {
    long long total = (long long) batch * channels * h * w;
    float inv = 1.0f / (float) (k * k);
    for (long long i = blockIdx.x * (long long) blockDim.x + threadIdx.x; i < total;
         i += (long long) gridDim.x * blockDim.x) {
        int ix = (int) (i % w);
        int iy = (int) ((i / w) % h);
        int c = (int) ((i / ((long long) w * h)) % channels);
        int n = (int) (i / ((long long) w * h * channels));
        int oy0 = max(0, (iy + p - k + s) / s);
        int oy1 = min(oh - 1, (iy + p) / s);
        int ox0 = max(0, (ix + p - k + s) / s);
        int ox1 = min(ow - 1, (ix + p) / s);
        const float* g = dy + n * dyStride + (long long) c * oh * ow;
        float sum = 0.0f;
        for (int oy = oy0; oy <= oy1; oy++) {
            for (int ox = ox0; ox <= ox1; ox++) {
                sum = __fadd_rn(sum, __fmul_rn(g[oy * ow + ox], inv));
            }
        }
        dx[n * dxStride + (long long) c * h * w + (long long) iy * w + ix] += sum;
    }
}

// Global average pool [N, C, plane] -> [N, C]; one thread per (n, c), summed in order.
extern "C" __global__ void global_avgpool_forward(const float* __restrict__ x, long long xStride,
                                                  float* __restrict__ y, int channels, int plane, int batch) {
    long long total = (long long) batch * channels;
    for (long long i = blockIdx.x * (long long) blockDim.x + threadIdx.x; i < total;
         i += (long long) gridDim.x * blockDim.x) {
        int c = (int) (i % channels);
        int n = (int) (i / channels);
        const float* src = x + n * xStride + (long long) c * plane;
        double sum = 0.0;
        for (int q = 0; q < plane; q++) sum += src[q];
        y[i] = (float) (sum / plane);
    }
}

// Global average pool backward: dx[n, c, :] += dy[n, c] / plane.
extern "C" __global__ void global_avgpool_backward(const float* __restrict__ dy, float* __restrict__ dx,
                                                   long long dxStride, int channels, int plane, int batch) {
    long long total = (long long) batch * channels * plane;
    for (long long i = blockIdx.x * (long long) blockDim.x + threadIdx.x; i < total;
         i += (long long) gridDim.x * blockDim.x) {
        long long per = (long long) channels * plane;
        int n = (int) (i / per);
        long long rem = i - n * per;
        int c = (int) (rem / plane);
        dx[n * dxStride + rem] = __fadd_rn(dx[n * dxStride + rem], __fmul_rn(dy[(long long) n * channels + c], 1.0f / (float) plane));
    }
}

// Classifier backward for a one-hot seed: dx[n, :] = W[class[n], :] (the gradient of the chosen
// logit with respect to the pooled features is that row of the weight matrix).
extern "C" __global__ void classifier_seed_rows(const float* __restrict__ weight, const int* __restrict__ classes,
                                                float* __restrict__ dx, int inFeatures, int batch) {
    long long total = (long long) batch * inFeatures;
    for (long long i = blockIdx.x * (long long) blockDim.x + threadIdx.x; i < total;
         i += (long long) gridDim.x * blockDim.x) {
        int n = (int) (i / inFeatures);
        int k = (int) (i % inFeatures);
        dx[i] = weight[(long long) classes[n] * inFeatures + k];
    }
}

// dst[n, c, p] += src[n, c, p] over a channel slice (gradient accumulation between buffers).
extern "C" __global__ void slice_add(const float* __restrict__ src, long long srcStride,
                                     float* __restrict__ dst, long long dstStride, int channels, int plane, int batch) {
    long long total = (long long) batch * channels * plane;
    for (long long i = blockIdx.x * (long long) blockDim.x + threadIdx.x; i < total;
         i += (long long) gridDim.x * blockDim.x) {
        long long per = (long long) channels * plane;
        int n = (int) (i / per);
        long long rem = i - n * per;
        dst[n * dstStride + rem] += src[n * srcStride + rem];
    }
}
