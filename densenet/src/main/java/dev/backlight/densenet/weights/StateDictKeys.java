package dev.backlight.densenet.weights;

import dev.backlight.api.WeightsFormatException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * From what a PyTorch checkpoint holds to torchvision's state-dict names:
 *
 * <ul>
 *   <li>a training checkpoint ({@code {'epoch', 'state_dict', 'optimizer', ...}}) is unwrapped to
 *       its {@code state_dict}, {@code model_state_dict} or {@code model} entry (in that order of
 *       preference; up to three levels);
 *   <li>the prefixes {@code module.} (DataParallel, DistributedDataParallel) and {@code _orig_mod.}
 *       ({@code torch.compile}) are stripped, however nested;
 *   <li>torchvision's 2017 names ({@code denselayer1.norm.1.weight}) become today's
 *       ({@code denselayer1.norm1.weight});
 *   <li>{@code num_batches_tracked} entries are dropped.
 * </ul>
 *
 * Stateless.
 */
final class StateDictKeys {
    /** The keys training scripts keep the model's state dict under, in order of preference. */
    static final List<String> WRAPPER_KEYS = List.of("state_dict", "model_state_dict", "model");
    private static final String[] PREFIXES = {"module.", "_orig_mod."};
    private static final Pattern OLD_DENSE_LAYER =
            Pattern.compile("^(.*denselayer\\d+\\.(?:norm|relu|conv))\\.((?:[12])\\.(?:weight|bias|running_mean|running_var))$");
    private static final int MAX_WRAPPING = 3;

    private StateDictKeys() {}

    /**
     * The state dict inside a checkpoint's top-level object.
     *
     * @throws WeightsFormatException if it is not a dict, or its entries are not all tensors
     */
    static Map<String, Pickled.TensorRef> stateDict(Object root, String source) {
        if (!(root instanceof Pickled.Dict)) {
            throw new WeightsFormatException(source + " holds a " + Pickled.typeName(root)
                    + " where a state dict (a dict of tensors) belongs; save model.state_dict()");
        }
        Pickled.Dict dict = (Pickled.Dict) root;
        String path = "";
        for (int level = 0; level < MAX_WRAPPING; level++) {
            Pickled.Dict inner = null;
            for (String key : WRAPPER_KEYS) {
                Object value = dict.entries().get(key);
                if (value instanceof Pickled.Dict) {
                    inner = (Pickled.Dict) value;
                    path += "['" + key + "']";
                    break;
                }
            }
            if (inner == null) {
                break;
            }
            dict = inner;
        }
        Map<String, Pickled.TensorRef> tensors = new LinkedHashMap<>();
        for (Map.Entry<Object, Object> e : dict.entries().entrySet()) {
            if (!(e.getKey() instanceof String)) {
                throw new WeightsFormatException(source + " has a state dict" + where(path) + " with a key that is a "
                        + Pickled.typeName(e.getKey()) + " instead of a str; save model.state_dict()");
            }
            String key = (String) e.getKey();
            if (!(e.getValue() instanceof Pickled.TensorRef)) {
                throw new WeightsFormatException(source + (path.isEmpty() ? " holds" : " has a state dict" + path
                        + " that holds") + " '" + RestrictedUnpickler.printable(key) + "', a "
                        + Pickled.typeName(e.getValue()) + " instead of a tensor; Backlight looks for the state dict"
                        + " under " + WRAPPER_KEYS + " or at the top: save model.state_dict() alone");
            }
            tensors.put(key, (Pickled.TensorRef) e.getValue());
        }
        return tensors;
    }

    private static String where(String path) {
        return path.isEmpty() ? "" : " (" + path + ")";
    }

    /**
     * Maps names to torchvision's and drops {@code num_batches_tracked}, keeping the order.
     *
     * @throws WeightsFormatException if two names become the same
     */
    static <T> Map<String, T> torchvisionNames(Map<String, T> entries, String source) {
        Map<String, T> out = new LinkedHashMap<>();
        Map<String, String> originals = new LinkedHashMap<>();
        for (Map.Entry<String, T> e : entries.entrySet()) {
            String name = torchvisionName(e.getKey());
            if (name.endsWith("num_batches_tracked")) {
                continue;
            }
            String earlier = originals.putIfAbsent(name, e.getKey());
            if (earlier != null) {
                throw new WeightsFormatException(source + " holds both '" + RestrictedUnpickler.printable(earlier)
                        + "' and '" + RestrictedUnpickler.printable(e.getKey()) + "', which both mean '"
                        + RestrictedUnpickler.printable(name) + "'; keep one of them and save again");
            }
            out.put(name, e.getValue());
        }
        return out;
    }

    /** One name: prefixes stripped, 2017 dense-layer names mapped. */
    static String torchvisionName(String key) {
        String name = key;
        boolean stripped = true;
        while (stripped) {
            stripped = false;
            for (String prefix : PREFIXES) {
                if (name.startsWith(prefix)) {
                    name = name.substring(prefix.length());
                    stripped = true;
                }
            }
        }
        Matcher m = OLD_DENSE_LAYER.matcher(name);
        return m.matches() ? m.group(1) + m.group(2) : name;
    }
}
