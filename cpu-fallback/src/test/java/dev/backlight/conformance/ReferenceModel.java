package dev.backlight.conformance;

import dev.backlight.api.Tensor;
import dev.backlight.api.Weights;
import dev.backlight.api.graph.Graph;
import dev.backlight.api.graph.Node;
import dev.backlight.api.graph.Op;
import dev.backlight.api.rule.BuiltinRule;
import java.util.List;

/**
 * An independent float64 interpreter of the graph IR, written for clarity, not speed: direct
 * convolution loops, every activation stored, textbook reverse-mode accumulation. It shares no
 * code with any backend and is the reference the backends are measured against.
 */
public final class ReferenceModel {
    private final Graph graph;
    private final double[][] params;
    private final List<Node> nodes;
    private double[][] acts;
    private double[][] grads;
    private int batch;

    public ReferenceModel(Graph graph, Weights weights) {
        this.graph = graph;
        this.nodes = graph.nodes();
        this.params = new double[graph.parameters().size()][];
        for (int i = 0; i < params.length; i++) {
            var p = graph.parameters().get(i);
            float[] f = weights.get(p.name(), p.shape()).data();
            params[i] = new double[f.length];
            for (int j = 0; j < f.length; j++) {
                params[i][j] = f[j];
            }
        }
    }

    private double[] param(String name) {
        for (int i = 0; i < params.length; i++) {
            if (graph.parameters().get(i).name().equals(name)) {
                return params[i];
            }
        }
        throw new IllegalArgumentException(name);
    }

    /** Runs the forward pass; returns the output, [N × output size], and keeps every activation. */
    public double[] forward(double[] input, int n) {
        batch = n;
        acts = new double[nodes.size()][];
        for (Node node : nodes) {
            acts[node.id()] = forwardNode(node, node.id() == 0 ? input : null);
        }
        return acts[graph.output().id()].clone();
    }

    /** Backward of the last forward with the given built-in rule; returns the input gradient. */
    public double[] backward(double[] seed, BuiltinRule rule) {
        grads = new double[nodes.size()][];
        for (Node node : nodes) {
            grads[node.id()] = new double[acts[node.id()].length];
        }
        System.arraycopy(seed, 0, grads[graph.output().id()], 0, seed.length);
        for (int id = nodes.size() - 1; id > 0; id--) {
            backwardNode(nodes.get(id), grads, rule);
        }
        return grads[0];
    }

    /** The forward output of node {@code id} in the last forward pass. */
    public double[] activation(int id) {
        return acts[id];
    }

    /** The gradient at node {@code id}'s output in the last backward pass. */
    public double[] gradient(int id) {
        return grads[id];
    }

    private int per(int id) {
        return nodes.get(id).shape().size();
    }

    private double[] forwardNode(Node node, double[] input) {
        Op op = node.op();
        int[] s = node.shape().dims();
        double[] out = new double[batch * node.shape().size()];
        if (op instanceof Op.Input) {
            System.arraycopy(input, 0, out, 0, out.length);
            return out;
        }
        int inId = node.inputs().get(0);
        double[] x = acts[inId];
        int[] is = nodes.get(inId).shape().dims();
        if (op instanceof Op.Conv2d c) {
            double[] w = param(c.weight());
            double[] b = c.bias() == null ? null : param(c.bias());
            int k = c.kernelH();
            // One task per (image, output channel): each writes its own plane in a fixed order, so
            // the result does not depend on the number of threads.
            java.util.stream.IntStream.range(0, batch * s[0]).parallel().forEach(io -> {
                int i = io / s[0];
                int o = io % s[0];
                int yo = (i * s[0] + o) * s[1] * s[2];
                java.util.Arrays.fill(out, yo, yo + s[1] * s[2], b == null ? 0 : b[o]);
                for (int ci = 0; ci < is[0]; ci++) {
                    int xo = (i * is[0] + ci) * is[1] * is[2];
                    for (int ky = 0; ky < k; ky++) {
                        for (int kx = 0; kx < c.kernelW(); kx++) {
                            double wv = w[((o * is[0] + ci) * k + ky) * c.kernelW() + kx];
                            for (int oy = 0; oy < s[1]; oy++) {
                                int iy = oy * c.stride() - c.padding() + ky;
                                if (iy < 0 || iy >= is[1]) {
                                    continue;
                                }
                                for (int ox = 0; ox < s[2]; ox++) {
                                    int ix = ox * c.stride() - c.padding() + kx;
                                    if (ix >= 0 && ix < is[2]) {
                                        out[yo + oy * s[2] + ox] += wv * x[xo + iy * is[2] + ix];
                                    }
                                }
                            }
                        }
                    }
                }
            });
        } else if (op instanceof Op.BatchNorm bn) {
            double[] g = param(bn.prefix() + ".weight");
            double[] b = param(bn.prefix() + ".bias");
            double[] m = param(bn.prefix() + ".running_mean");
            double[] v = param(bn.prefix() + ".running_var");
            int plane = node.shape().size() / s[0];
            for (int j = 0; j < out.length; j++) {
                int ch = (j / plane) % s[0];
                out[j] = (x[j] - m[ch]) / Math.sqrt(v[ch] + bn.eps()) * g[ch] + b[ch];
            }
        } else if (op instanceof Op.Relu) {
            for (int j = 0; j < out.length; j++) {
                out[j] = Math.max(x[j], 0);
            }
        } else if (op instanceof Op.MaxPool p) {
            for (int i = 0; i < batch; i++) {
                for (int ch = 0; ch < s[0]; ch++) {
                    for (int oy = 0; oy < s[1]; oy++) {
                        for (int ox = 0; ox < s[2]; ox++) {
                            out[((i * s[0] + ch) * s[1] + oy) * s[2] + ox] =
                                    x[argmax(x, i, ch, is, oy, ox, p)];
                        }
                    }
                }
            }
        } else if (op instanceof Op.AvgPool p) {
            for (int i = 0; i < batch; i++) {
                for (int ch = 0; ch < s[0]; ch++) {
                    for (int oy = 0; oy < s[1]; oy++) {
                        for (int ox = 0; ox < s[2]; ox++) {
                            double acc = 0;
                            for (int ky = 0; ky < p.kernel(); ky++) {
                                for (int kx = 0; kx < p.kernel(); kx++) {
                                    int iy = oy * p.stride() - p.padding() + ky;
                                    int ix = ox * p.stride() - p.padding() + kx;
                                    if (iy >= 0 && iy < is[1] && ix >= 0 && ix < is[2]) {
                                        acc += x[((i * is[0] + ch) * is[1] + iy) * is[2] + ix];
                                    }
                                }
                            }
                            out[((i * s[0] + ch) * s[1] + oy) * s[2] + ox] = acc / (p.kernel() * p.kernel());
                        }
                    }
                }
            }
        } else if (op instanceof Op.GlobalAvgPool) {
            int plane = is[1] * is[2];
            for (int j = 0; j < out.length; j++) {
                double acc = 0;
                for (int q = 0; q < plane; q++) {
                    acc += x[j * plane + q];
                }
                out[j] = acc / plane;
            }
        } else if (op instanceof Op.Concat) {
            for (int i = 0; i < batch; i++) {
                int at = i * node.shape().size();
                for (int in : node.inputs()) {
                    System.arraycopy(acts[in], i * per(in), out, at, per(in));
                    at += per(in);
                }
            }
        } else if (op instanceof Op.Linear l) {
            double[] w = param(l.weight());
            double[] b = l.bias() == null ? null : param(l.bias());
            for (int i = 0; i < batch; i++) {
                for (int o = 0; o < l.outFeatures(); o++) {
                    double acc = b == null ? 0 : b[o];
                    for (int k = 0; k < l.inFeatures(); k++) {
                        acc += w[o * l.inFeatures() + k] * x[i * l.inFeatures() + k];
                    }
                    out[i * l.outFeatures() + o] = acc;
                }
            }
        } else {
            throw new IllegalArgumentException(op.kind());
        }
        return out;
    }

    private static int argmax(double[] x, int i, int ch, int[] is, int oy, int ox, Op.MaxPool p) {
        int best = -1;
        for (int ky = 0; ky < p.kernel(); ky++) {
            for (int kx = 0; kx < p.kernel(); kx++) {
                int iy = oy * p.stride() - p.padding() + ky;
                int ix = ox * p.stride() - p.padding() + kx;
                if (iy >= 0 && iy < is[1] && ix >= 0 && ix < is[2]) {
                    int j = ((i * is[0] + ch) * is[1] + iy) * is[2] + ix;
                    if (best < 0 || x[j] > x[best]) {
                        best = j;
                    }
                }
            }
        }
        return best;
    }

    private void backwardNode(Node node, double[][] grads, BuiltinRule rule) {
        Op op = node.op();
        double[] dy = grads[node.id()];
        int[] s = node.shape().dims();
        int inId = node.inputs().get(0);
        double[] dx = grads[inId];
        double[] x = acts[inId];
        int[] is = nodes.get(inId).shape().dims();
        if (op instanceof Op.Conv2d c) {
            double[] w = param(c.weight());
            int k = c.kernelH();
            // One task per (image, input channel), summing over output channels in ascending order:
            // each element of dx receives its terms in the same order as a serial loop would give them.
            java.util.stream.IntStream.range(0, batch * is[0]).parallel().forEach(ic -> {
                int i = ic / is[0];
                int ci = ic % is[0];
                int xo = (i * is[0] + ci) * is[1] * is[2];
                for (int o = 0; o < s[0]; o++) {
                    int yo = (i * s[0] + o) * s[1] * s[2];
                    for (int ky = 0; ky < k; ky++) {
                        for (int kx = 0; kx < c.kernelW(); kx++) {
                            double wv = w[((o * is[0] + ci) * k + ky) * c.kernelW() + kx];
                            for (int oy = 0; oy < s[1]; oy++) {
                                int iy = oy * c.stride() - c.padding() + ky;
                                if (iy < 0 || iy >= is[1]) {
                                    continue;
                                }
                                for (int ox = 0; ox < s[2]; ox++) {
                                    int ix = ox * c.stride() - c.padding() + kx;
                                    if (ix >= 0 && ix < is[2]) {
                                        dx[xo + iy * is[2] + ix] += wv * dy[yo + oy * s[2] + ox];
                                    }
                                }
                            }
                        }
                    }
                }
            });
        } else if (op instanceof Op.BatchNorm bn) {
            double[] g = param(bn.prefix() + ".weight");
            double[] v = param(bn.prefix() + ".running_var");
            int plane = node.shape().size() / s[0];
            for (int j = 0; j < dy.length; j++) {
                int ch = (j / plane) % s[0];
                dx[j] += dy[j] * g[ch] / Math.sqrt(v[ch] + bn.eps());
            }
        } else if (op instanceof Op.Relu) {
            for (int j = 0; j < dy.length; j++) {
                boolean open = x[j] > 0;
                boolean positive = dy[j] > 0;
                switch (rule) {
                    case VANILLA: dx[j] += open ? dy[j] : 0; break;
                    case DECONVNET: dx[j] += positive ? dy[j] : 0; break;
                    case GUIDED: dx[j] += open && positive ? dy[j] : 0; break;
                    default: throw new IllegalArgumentException(rule.toString());
                }
            }
        } else if (op instanceof Op.MaxPool p) {
            for (int i = 0; i < batch; i++) {
                for (int ch = 0; ch < s[0]; ch++) {
                    for (int oy = 0; oy < s[1]; oy++) {
                        for (int ox = 0; ox < s[2]; ox++) {
                            dx[argmax(x, i, ch, is, oy, ox, p)] += dy[((i * s[0] + ch) * s[1] + oy) * s[2] + ox];
                        }
                    }
                }
            }
        } else if (op instanceof Op.AvgPool p) {
            for (int i = 0; i < batch; i++) {
                for (int ch = 0; ch < s[0]; ch++) {
                    for (int oy = 0; oy < s[1]; oy++) {
                        for (int ox = 0; ox < s[2]; ox++) {
                            double g = dy[((i * s[0] + ch) * s[1] + oy) * s[2] + ox] / (p.kernel() * p.kernel());
                            for (int ky = 0; ky < p.kernel(); ky++) {
                                for (int kx = 0; kx < p.kernel(); kx++) {
                                    int iy = oy * p.stride() - p.padding() + ky;
                                    int ix = ox * p.stride() - p.padding() + kx;
                                    if (iy >= 0 && iy < is[1] && ix >= 0 && ix < is[2]) {
                                        dx[((i * is[0] + ch) * is[1] + iy) * is[2] + ix] += g;
                                    }
                                }
                            }
                        }
                    }
                }
            }
        } else if (op instanceof Op.GlobalAvgPool) {
            int plane = is[1] * is[2];
            for (int j = 0; j < dy.length; j++) {
                for (int q = 0; q < plane; q++) {
                    dx[j * plane + q] += dy[j] / plane;
                }
            }
        } else if (op instanceof Op.Concat) {
            for (int i = 0; i < batch; i++) {
                int at = i * node.shape().size();
                for (int in : node.inputs()) {
                    double[] d = grads[in];
                    for (int q = 0; q < per(in); q++) {
                        d[i * per(in) + q] += dy[at + q];
                    }
                    at += per(in);
                }
            }
        } else if (op instanceof Op.Linear l) {
            double[] w = param(l.weight());
            for (int i = 0; i < batch; i++) {
                for (int o = 0; o < l.outFeatures(); o++) {
                    double g = dy[i * l.outFeatures() + o];
                    for (int k = 0; k < l.inFeatures(); k++) {
                        dx[i * l.inFeatures() + k] += g * w[o * l.inFeatures() + k];
                    }
                }
            }
        } else {
            throw new IllegalArgumentException(op.kind());
        }
    }

    /** Widens a float tensor's data. */
    public static double[] widen(Tensor t) {
        double[] d = new double[t.size()];
        for (int i = 0; i < d.length; i++) {
            d[i] = t.data()[i];
        }
        return d;
    }
}
