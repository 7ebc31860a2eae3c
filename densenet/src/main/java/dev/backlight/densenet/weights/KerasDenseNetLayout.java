package dev.backlight.densenet.weights;

import dev.backlight.api.Shape;
import dev.backlight.api.Tensor;
import dev.backlight.api.WeightsFormatException;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Keras DenseNet layers to torchvision's state dict: names, and layouts (convolution kernels HWIO
 * to OIHW, the Dense kernel {@code [in, out]} transposed; batch norm's gamma, beta, moving mean and
 * moving variance to weight, bias, running_mean and running_var).
 *
 * <p>Layers are assigned by their Keras names when every convolution and batch norm has one that
 * {@code keras.applications.densenet} gives ({@code conv1_conv} or the ImageNet files'
 * {@code conv1/conv}, {@code conv{B}_block{L}_{0|1|2}_{bn|conv}}, {@code pool{T}_{bn|conv}},
 * {@code bn}); otherwise, as Keras itself loads weights, by order: the stem convolution, then per
 * dense layer a 1x1 and a 3x3 convolution, per transition one 1x1 convolution, with batch norms in
 * the order the network uses them. Either way the one Dense layer, whatever its name
 * ({@code predictions}, {@code fc1000}, {@code dense}), is the classifier, and every batch norm is
 * checked to feed a convolution of its width. Stateless.
 */
final class KerasDenseNetLayout {
    private static final Pattern DENSENET_NAME = Pattern.compile(
            "^(?:.*?[/_])??(conv1[/_]conv|conv1[/_]bn|conv(\\d+)_block(\\d+)_([012])_(bn|conv)|pool(\\d+)_(bn|conv)|bn)$");
    private static final List<String> BN_VARS = List.of("gamma", "beta", "moving_mean", "moving_variance");
    private static final String[] BN_NAMES = {"weight", "bias", "running_mean", "running_var"};

    private KerasDenseNetLayout() {}

    /**
     * The torchvision-named tensors of a Keras DenseNet's layers.
     *
     * @param layers every layer with weights, in file order
     * @throws WeightsFormatException if the layers are not a DenseNet with one Dense classifier
     */
    static Map<String, Tensor> toTorchvision(List<KerasLayer> layers, String source) {
        List<KerasLayer> convs = new ArrayList<>();
        List<KerasLayer> norms = new ArrayList<>();
        List<KerasLayer> denses = new ArrayList<>();
        for (KerasLayer layer : layers) {
            KerasLayer.Kind kind = layer.kind();
            if (kind == null) {
                throw new WeightsFormatException(source + " has layer " + layer.path() + " with weights "
                        + layer.vars() + ", which no DenseNet layer has (a convolution without bias: one 4-d kernel;"
                        + " a batch norm: four vectors; the classifier: a kernel and a bias)");
            }
            (kind == KerasLayer.Kind.CONV ? convs : kind == KerasLayer.Kind.BATCH_NORM ? norms : denses).add(layer);
        }
        if (denses.size() != 1) {
            throw new WeightsFormatException(source + (denses.isEmpty()
                    ? " has no Dense classifier (saved with include_top=False?); Backlight needs the classifier: save"
                            + " the whole model"
                    : " has " + denses.size() + " Dense layers; Backlight models DenseNet with one linear classifier"));
        }
        if (convs.isEmpty()) {
            throw new WeightsFormatException(source + " has no convolution weights; is it a DenseNet?");
        }
        Map<KerasLayer, String> prefixes = byName(convs, norms);
        if (prefixes == null) {
            prefixes = byOrder(convs, norms, source);
        }
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (KerasLayer layer : layers) {
            if (layer.kind() == KerasLayer.Kind.CONV) {
                out.put(prefixes.get(layer) + ".weight", convKernel(layer.vars().get(0)));
            } else if (layer.kind() == KerasLayer.Kind.BATCH_NORM) {
                putBatchNorm(out, prefixes.get(layer), layer);
            }
        }
        KerasLayer dense = denses.get(0);
        KerasLayer.Var kernel = dense.vars().get(0);
        KerasLayer.Var bias = dense.vars().get(1);
        if (kernel.dims()[1] != bias.dims()[0]) {
            throw new WeightsFormatException(source + " has a classifier " + dense.path() + " with kernel "
                    + Arrays.toString(kernel.dims()) + " and bias " + Arrays.toString(bias.dims()) + " that disagree");
        }
        out.put("classifier.weight", transpose(kernel));
        out.put("classifier.bias", Tensor.of(Shape.of(bias.dims()[0]), bias.toArray()));
        checkWidths(out, source);
        return out;
    }

    /** Assignment by Keras names, or null unless every layer has a DenseNet name, each once. */
    private static Map<KerasLayer, String> byName(List<KerasLayer> convs, List<KerasLayer> norms) {
        Map<KerasLayer, String> prefixes = new IdentityHashMap<>();
        List<KerasLayer> all = new ArrayList<>(convs);
        all.addAll(norms);
        for (KerasLayer layer : all) {
            String prefix = layer.name() == null ? null : torchvisionPrefix(layer.name());
            boolean isConv = layer.kind() == KerasLayer.Kind.CONV;
            if (prefix == null || prefixes.containsValue(prefix) || isConv != isConvPrefix(prefix)) {
                return null;
            }
            prefixes.put(layer, prefix);
        }
        return prefixes;
    }

    private static boolean isConvPrefix(String prefix) {
        return prefix.endsWith(".conv0") || prefix.endsWith(".conv1") || prefix.endsWith(".conv2")
                || prefix.endsWith(".conv");
    }

    /** torchvision's module name for a Keras DenseNet layer name, or null. */
    static String torchvisionPrefix(String kerasName) {
        Matcher m = DENSENET_NAME.matcher(kerasName);
        if (!m.matches()) {
            return null;
        }
        String layer = m.group(1);
        if (layer.equals("conv1_conv") || layer.equals("conv1/conv")) {
            return "features.conv0";
        }
        if (layer.equals("conv1_bn") || layer.equals("conv1/bn")) {
            return "features.norm0";
        }
        if (layer.equals("bn")) {
            return "features.norm5";
        }
        if (m.group(2) != null) {
            int block = Integer.parseInt(m.group(2)) - 1;
            String part = m.group(4) + "_" + m.group(5);
            String module = part.equals("0_bn") ? "norm1" : part.equals("1_conv") ? "conv1"
                    : part.equals("1_bn") ? "norm2" : part.equals("2_conv") ? "conv2" : null;
            return block < 1 || module == null ? null
                    : "features.denseblock" + block + ".denselayer" + Integer.parseInt(m.group(3)) + "." + module;
        }
        int transition = Integer.parseInt(m.group(6)) - 1;
        return transition < 1 ? null : "features.transition" + transition + "." + (m.group(7).equals("bn") ? "norm" : "conv");
    }

    /** Assignment by order and kernel shapes, as Keras loads legacy files. */
    private static Map<KerasLayer, String> byOrder(List<KerasLayer> convs, List<KerasLayer> norms, String source) {
        Map<KerasLayer, String> prefixes = new IdentityHashMap<>();
        int nextNorm = 0;
        prefixes.put(convs.get(0), "features.conv0");
        nextNorm = assignNorm(prefixes, norms, nextNorm, "features.norm0", source);
        int block = 1;
        int layer = 1;
        for (int c = 1; c < convs.size(); ) {
            int[] k = convs.get(c).vars().get(0).dims();
            boolean next3x3 = c + 1 < convs.size() && kernelSize(convs.get(c + 1)) == 3;
            if (k[0] == 1 && k[1] == 1 && next3x3) {
                String prefix = "features.denseblock" + block + ".denselayer" + layer;
                nextNorm = assignNorm(prefixes, norms, nextNorm, prefix + ".norm1", source);
                prefixes.put(convs.get(c), prefix + ".conv1");
                nextNorm = assignNorm(prefixes, norms, nextNorm, prefix + ".norm2", source);
                prefixes.put(convs.get(c + 1), prefix + ".conv2");
                layer++;
                c += 2;
            } else if (k[0] == 1 && k[1] == 1 && layer > 1) {
                String prefix = "features.transition" + block;
                nextNorm = assignNorm(prefixes, norms, nextNorm, prefix + ".norm", source);
                prefixes.put(convs.get(c), prefix + ".conv");
                block++;
                layer = 1;
                c++;
            } else {
                throw new WeightsFormatException(source + " has convolution " + convs.get(c).path() + " with kernel "
                        + Arrays.toString(k) + " where a DenseNet has a 1x1 bottleneck or transition convolution;"
                        + " is it a DenseNet?");
            }
        }
        nextNorm = assignNorm(prefixes, norms, nextNorm, "features.norm5", source);
        if (nextNorm != norms.size()) {
            throw new WeightsFormatException(source + " has " + norms.size() + " batch norms where its "
                    + convs.size() + " convolutions make a DenseNet with " + nextNorm + "; is it a DenseNet?");
        }
        return prefixes;
    }

    private static int kernelSize(KerasLayer conv) {
        int[] k = conv.vars().get(0).dims();
        return k[0] == k[1] ? k[0] : -1;
    }

    private static int assignNorm(Map<KerasLayer, String> prefixes, List<KerasLayer> norms, int next, String prefix,
            String source) {
        if (next >= norms.size()) {
            throw new WeightsFormatException(source + " has only " + norms.size() + " batch norms; a DenseNet with its"
                    + " convolutions needs one for " + prefix + "; is it a DenseNet?");
        }
        prefixes.put(norms.get(next), prefix);
        return next + 1;
    }

    private static void putBatchNorm(Map<String, Tensor> out, String prefix, KerasLayer layer) {
        List<KerasLayer.Var> vars = layer.vars();
        boolean named = true;
        for (KerasLayer.Var v : vars) {
            named &= BN_VARS.contains(v.name());
        }
        for (int i = 0; i < 4; i++) {
            KerasLayer.Var v = vars.get(i);
            int role = named ? BN_VARS.indexOf(v.name()) : i;
            out.put(prefix + "." + BN_NAMES[role], Tensor.of(Shape.of(v.dims()[0]), v.toArray()));
        }
    }

    /**
     * HWIO {@code [kh, kw, in, out]} to OIHW {@code [out, in, kh, kw]}: for each of the kh·kw
     * kernel positions, an {@code [in, out]} matrix transposed into the {@code [out, in]} slots of
     * that position.
     */
    private static Tensor convKernel(KerasLayer.Var v) {
        int kh = v.dims()[0];
        int kw = v.dims()[1];
        int in = v.dims()[2];
        int outChannels = v.dims()[3];
        float[] dst = new float[v.data().capacity()];
        int positions = kh * kw;
        for (int p = 0; p < positions; p++) {
            // source [p][i][o] at (p * in + i) * out + o; target [o][i][p] at (o * in + i) * positions + p
            transpose(v.data(), p * in * outChannels, in, outChannels, dst, p, positions);
        }
        return Tensor.of(Shape.of(outChannels, in, kh, kw), dst);
    }

    /** {@code [in, out]} to {@code [out, in]}. */
    private static Tensor transpose(KerasLayer.Var v) {
        int rows = v.dims()[0];
        int cols = v.dims()[1];
        float[] dst = new float[v.data().capacity()];
        transpose(v.data(), 0, rows, cols, dst, 0, 1);
        return Tensor.of(Shape.of(cols, rows), dst);
    }

    private static final int TILE = 32;

    /**
     * Writes the {@code rows x cols} matrix at element {@code from} of {@code src} transposed:
     * element (r, c) goes to {@code dst[(c * rows + r) * step + offset]}. In 32x32 tiles, so that
     * both sides stay in cache (a DenseNet-201 1x1 kernel is 1888 x 128), reading each tile row
     * with one bulk copy straight from the file's bytes.
     */
    private static void transpose(FloatBuffer src, int from, int rows, int cols, float[] dst, int offset, int step) {
        float[] segment = new float[TILE];
        for (int r0 = 0; r0 < rows; r0 += TILE) {
            int r1 = Math.min(rows, r0 + TILE);
            for (int c0 = 0; c0 < cols; c0 += TILE) {
                int width = Math.min(cols, c0 + TILE) - c0;
                for (int r = r0; r < r1; r++) {
                    src.get(from + r * cols + c0, segment, 0, width);
                    int to = (c0 * rows + r) * step + offset;
                    for (int c = 0; c < width; c++) {
                        dst[to] = segment[c];
                        to += rows * step;
                    }
                }
            }
        }
    }

    /**
     * Each batch norm must have the width of the convolution it feeds (norm1 → conv1, norm2 →
     * conv2, a transition's norm → its conv, norm0 → the first dense layer), and norm5 that of the
     * classifier's input: what assignment by order cannot check by itself.
     */
    private static void checkWidths(Map<String, Tensor> out, String source) {
        for (Map.Entry<String, Tensor> e : out.entrySet()) {
            String name = e.getKey();
            if (!name.endsWith(".running_var")) {
                continue;
            }
            String prefix = name.substring(0, name.length() - ".running_var".length());
            String fed = prefix.endsWith(".norm1") ? prefix.replaceAll("norm1$", "conv1")
                    : prefix.endsWith(".norm2") ? prefix.replaceAll("norm2$", "conv2")
                    : prefix.endsWith(".norm") ? prefix.replaceAll("norm$", "conv") : null;
            int width = e.getValue().size();
            int expected;
            if (fed != null && out.containsKey(fed + ".weight")) {
                expected = out.get(fed + ".weight").shape().dim(1);
            } else if (prefix.equals("features.norm5")) {
                expected = out.get("classifier.weight").shape().dim(1);
            } else if (prefix.equals("features.norm0")) {
                expected = out.get("features.conv0.weight").shape().dim(0);
            } else {
                continue;
            }
            if (width != expected) {
                throw new WeightsFormatException(source + " has batch norm " + prefix + " of " + width
                        + " channels feeding " + expected + "; its layers are not a DenseNet in Keras' order");
            }
        }
    }
}
