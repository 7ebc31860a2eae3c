package dev.backlight.densenet.weights;

import dev.backlight.api.Weights;
import dev.backlight.api.WeightsFormatException;
import io.jhdf.HdfFile;
import io.jhdf.api.Attribute;
import io.jhdf.api.Dataset;
import io.jhdf.api.Group;
import io.jhdf.api.Node;
import io.jhdf.api.dataset.ContiguousDataset;
import io.jhdf.object.datatype.FloatingPoint;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.FloatBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;

/**
 * Reads the weights of a Keras DenseNet from HDF5 with jhdf (pure Java), in the layouts Keras
 * writes:
 *
 * <ul>
 *   <li><b>legacy {@code .h5}</b> ({@code save_weights}, {@code model.save('x.h5')}, the ImageNet
 *       files of {@code keras.applications}): at the root or under {@code model_weights/}, the
 *       attribute {@code layer_names} (split into {@code layer_names0}, {@code layer_names1}, ...
 *       when long) lists the layers in order; each layer group lists its {@code weight_names},
 *       datasets at {@code <layer>/<weight name>}. A nested model's group lists its inner layers'
 *       weights, named {@code <inner layer>/<weight>:0}.
 *   <li><b>Keras 3 {@code .weights.h5}</b>: {@code layers/<class>[_N]/vars/<i>}, layers named by
 *       class in snake case and numbered per class, nested models under their own
 *       {@code layers/}; and the {@code .keras} zip, which holds such a file as
 *       {@code model.weights.h5}.
 * </ul>
 *
 * Layers become torchvision names through {@link KerasDenseNetLayout}. The file is untrusted: links
 * (which could point at other files) and cycles are refused, attribute and dataset sizes are
 * checked before they are read, all datasets together may not exceed {@value #EXPANSION} times the
 * file (more than compression can yield), and every jhdf failure becomes a
 * {@link WeightsFormatException}. Stateless.
 */
final class KerasWeightsReader {
    private static final System.Logger LOG = System.getLogger(KerasWeightsReader.class.getName());
    /** Deflate, the strongest filter Keras files use, expands at most about 1032:1. */
    static final long EXPANSION = 1100;
    private static final long MAX_STRINGS = 1_000_000;
    private static final int MAX_NAME_CHUNKS = 10_000;
    private static final int MAX_NESTING = 16;
    private static final long MAX_ELEMENTS = Integer.MAX_VALUE - 8;
    private static final Pattern WEIGHT_SUFFIX = Pattern.compile(":\\d+$");
    private static final Pattern NUMBERED = Pattern.compile("^(.*?)(?:_(\\d{1,9}))?$");
    static final String ARCHIVE_ENTRY = "model.weights.h5";

    /** Which layout a file had. */
    enum Layout { LEGACY, KERAS3 }

    /** The tensors and the layout they were found in. */
    record Result(Weights weights, Layout layout) {}

    private KerasWeightsReader() {}

    /**
     * Reads an HDF5 file.
     *
     * @throws WeightsFormatException if it is not a readable Keras DenseNet weights file
     */
    static Result readHdf5(Path file) {
        String name = file.toString();
        long size;
        try {
            size = Files.size(file);
        } catch (IOException e) {
            throw new WeightsFormatException("cannot read weights file " + name + ": " + e
                    + "; check the path and permissions", e);
        }
        // jhdf reads a file through many small reads; from memory it walks the ~1000 groups of a
        // DenseNet-201 several times faster. Mapping costs no heap (the page cache holds the bytes).
        // A file truncated by another process while mapped would fault; one changed before is checked.
        ByteBuffer mapped = null;
        if (size <= Integer.MAX_VALUE - 8) {
            try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
                mapped = channel.map(FileChannel.MapMode.READ_ONLY, 0, size);
            } catch (IOException e) {
                throw new WeightsFormatException("cannot read weights file " + name + ": " + e
                        + "; check the path and permissions", e);
            }
        }
        try (HdfFile hdf = mapped != null ? HdfFile.fromByteBuffer(mapped) : new HdfFile(file)) {
            return read(hdf, name, size);
        } catch (RuntimeException | StackOverflowError e) {
            throw unreadable(name, e);
        }
    }

    /**
     * Reads HDF5 bytes; the seam for {@code .keras} archives, tests and fuzzing.
     *
     * @throws WeightsFormatException if they are not a readable Keras DenseNet weights file
     */
    static Result readHdf5(byte[] bytes, String name) {
        try (HdfFile hdf = HdfFile.fromBytes(bytes)) {
            return read(hdf, name, bytes.length);
        } catch (RuntimeException | StackOverflowError e) {
            throw unreadable(name, e);
        }
    }

    /**
     * Reads a {@code .keras} archive's {@code model.weights.h5}.
     *
     * @throws WeightsFormatException if it is not a readable Keras archive of a DenseNet
     */
    static Result readArchive(Path file) {
        String name = file.toString();
        try (ZipFile zip = new ZipFile(file.toFile())) {
            ZipEntry entry = zip.getEntry(ARCHIVE_ENTRY);
            if (entry == null) {
                throw new WeightsFormatException(name + " is a zip archive without " + ARCHIVE_ENTRY
                        + (zip.getEntry("model.weights.npz") != null ? " (its weights are in the NumPy store,"
                                + " model.weights.npz)" : "") + "; save the model with Keras 3's"
                        + " model.save('model.keras') or model.save_weights('model.weights.h5')");
            }
            long limit = Math.min(MAX_ELEMENTS, entry.getCompressedSize() < 0 ? Long.MAX_VALUE
                    : EXPANSION * Math.max(1, entry.getCompressedSize()));
            if (entry.getSize() > limit) {
                throw new WeightsFormatException(name + " declares " + ARCHIVE_ENTRY + " of " + entry.getSize()
                        + " bytes, more than Backlight reads (" + limit + ")");
            }
            if (entry.getMethod() == ZipEntry.STORED) {
                // Keras stores the weights uncompressed: map them where they lie instead of copying.
                ByteBuffer mapped = null;
                try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
                    ZipStoredEntries.Range range = ZipStoredEntries.find(channel).get(ARCHIVE_ENTRY);
                    if (range != null && range.size() == entry.getSize() && range.size() <= Integer.MAX_VALUE - 8) {
                        mapped = channel.map(FileChannel.MapMode.READ_ONLY, range.offset(), range.size());
                    }
                }
                if (mapped != null) {
                    try (HdfFile hdf = HdfFile.fromByteBuffer(mapped)) {
                        return read(hdf, name + " (" + ARCHIVE_ENTRY + ")", mapped.capacity());
                    } catch (RuntimeException | StackOverflowError e) {
                        throw unreadable(name + " (" + ARCHIVE_ENTRY + ")", e);
                    }
                }
            }
            if (entry.getSize() < 0) {
                throw new WeightsFormatException(name + " does not say how long its " + ARCHIVE_ENTRY + " is; the"
                        + " archive is damaged: save it again");
            }
            // Compressed: the one copy of the weights this costs, as jhdf reads HDF5 from a file or memory.
            byte[] bytes = new byte[(int) entry.getSize()];
            try (InputStream in = zip.getInputStream(entry)) {
                if (in.readNBytes(bytes, 0, bytes.length) != bytes.length || in.read() >= 0) {
                    throw new WeightsFormatException(name + " holds " + ARCHIVE_ENTRY + " of another length than its"
                            + " header says; the archive is damaged: save it again");
                }
            }
            return readHdf5(bytes, name + " (" + ARCHIVE_ENTRY + ")");
        } catch (ZipException e) {
            throw new WeightsFormatException(name + " is not a readable zip archive (" + e.getMessage()
                    + "); the file is damaged or truncated: copy it again", e);
        } catch (IOException e) {
            throw new WeightsFormatException("cannot read weights file " + name + ": " + e
                    + "; check the path and permissions", e);
        }
    }

    private static WeightsFormatException unreadable(String name, Throwable e) {
        if (e instanceof WeightsFormatException) {
            return (WeightsFormatException) e;
        }
        return new WeightsFormatException(name + " is not a readable HDF5 file (" + e
                + "); the file is damaged or truncated: copy it again, or save the weights anew", e);
    }

    private static Result read(HdfFile hdf, String name, long fileSize) {
        Budget budget = new Budget(name, fileSize);
        Node layers = hdf.getChild("layers");
        List<KerasLayer> found = new ArrayList<>();
        Layout layout;
        if (layers != null && !layers.isLink() && layers.isGroup()) {
            collectKeras3((Group) layers, "layers", 0, found, new HashSet<>(), budget);
            layout = Layout.KERAS3;
        } else {
            Group root = hdf;
            if (!hasLayerNames(root)) {
                Node inner = hdf.getChild("model_weights");
                if (inner == null || inner.isLink() || !inner.isGroup() || !hasLayerNames((Group) inner)) {
                    throw new WeightsFormatException(name + " is an HDF5 file but not Keras weights: it has neither"
                            + " layers/ (Keras 3) nor a layer_names attribute (Keras 2, at the root or under"
                            + " model_weights/); save the model with model.save_weights");
                }
                root = (Group) inner;
            }
            collectLegacy(root, found, budget);
            layout = Layout.LEGACY;
        }
        LOG.log(System.Logger.Level.DEBUG, () -> "read " + found.size() + " Keras layers with weights from " + name
                + " (" + layout + " layout)");
        return new Result(Weights.of(KerasDenseNetLayout.toTorchvision(found, name), name), layout);
    }

    // ---- legacy ---------------------------------------------------------------------------------

    private static boolean hasLayerNames(Group g) {
        return g.getAttribute("layer_names") != null || g.getAttribute("layer_names0") != null;
    }

    private static void collectLegacy(Group root, List<KerasLayer> out, Budget budget) {
        List<String> layerNames = chunkedStrings(root, "layer_names", budget.name);
        for (String layerName : layerNames) {
            Group layer = group(root, layerName, budget.name);
            Attribute attr = layer.getAttribute("weight_names");
            List<String> weightNames = attr == null ? List.of() : strings(attr, layerName + " weight_names", budget.name);
            String currentKey = null;
            List<KerasLayer.Var> vars = null;
            for (String weightName : weightNames) {
                int slash = weightName.lastIndexOf('/');
                String key = slash < 0 ? layerName : weightName.substring(0, slash);
                String var = WEIGHT_SUFFIX.matcher(weightName.substring(slash + 1)).replaceFirst("");
                boolean repeated = vars != null && vars.stream().anyMatch(v -> v.name().equals(var));
                if (!key.equals(currentKey) || repeated) {
                    vars = new ArrayList<>();
                    currentKey = key;
                    out.add(new KerasLayer(layerName + "/" + key, key, vars));
                }
                Dataset ds = dataset(layer, weightName, budget.name);
                vars.add(budget.read(ds, var, layerName + "/" + weightName));
            }
        }
    }

    /** A string-list attribute, or its chunks {@code name0}, {@code name1}, ... in order. */
    private static List<String> chunkedStrings(Group g, String attr, String file) {
        Attribute whole = g.getAttribute(attr);
        if (whole != null) {
            return strings(whole, attr, file);
        }
        List<String> all = new ArrayList<>();
        for (int i = 0; i < MAX_NAME_CHUNKS; i++) {
            Attribute chunk = g.getAttribute(attr + i);
            if (chunk == null) {
                return all;
            }
            all.addAll(strings(chunk, attr + i, file));
            if (all.size() > MAX_STRINGS) {
                break;
            }
        }
        throw new WeightsFormatException(file + " splits " + attr + " into too many chunks or names");
    }

    private static List<String> strings(Attribute attr, String what, String file) {
        if (attr.getSize() > MAX_STRINGS) {
            throw new WeightsFormatException(file + " has attribute " + what + " of " + attr.getSize()
                    + " entries, more than Backlight reads (" + MAX_STRINGS + ")");
        }
        if (attr.isEmpty() || attr.getSize() == 0) {
            return List.of();
        }
        Object data = attr.getData();
        if (data instanceof String) {
            return List.of((String) data);
        }
        if (data instanceof String[]) {
            List<String> out = new ArrayList<>();
            Collections.addAll(out, (String[]) data);
            return out;
        }
        if (data == null || (data.getClass().isArray() && java.lang.reflect.Array.getLength(data) == 0)) {
            return List.of(); // Keras writes an empty list as an empty float array
        }
        throw new WeightsFormatException(file + " has attribute " + what + " of type "
                + data.getClass().getSimpleName() + " where Keras writes a list of names");
    }

    // ---- Keras 3 --------------------------------------------------------------------------------

    private static void collectKeras3(Group container, String path, int depth, List<KerasLayer> out,
            Set<Long> visited, Budget budget) {
        if (depth > MAX_NESTING) {
            throw new WeightsFormatException(budget.name + " nests models more than " + MAX_NESTING + " deep at " + path);
        }
        List<String> names = new ArrayList<>(container.getChildren().keySet());
        names.sort(Comparator.comparing((String n) -> numbered(n).base).thenComparingLong(n -> numbered(n).index));
        for (String childName : names) {
            Node child = container.getChild(childName);
            String childPath = path + "/" + childName;
            if (child == null || !child.isGroup()) {
                continue;
            }
            checkNotLink(child, childPath, budget.name);
            if (!visited.add(child.getAddress())) {
                throw new WeightsFormatException(budget.name + " links group " + childPath + " twice (a cycle?);"
                        + " Keras never does");
            }
            Node vars = ((Group) child).getChild("vars");
            if (vars != null && vars.isGroup()) {
                checkNotLink(vars, childPath + "/vars", budget.name);
                List<KerasLayer.Var> read = keras3Vars((Group) vars, childPath + "/vars", budget);
                if (!read.isEmpty()) {
                    out.add(new KerasLayer(childPath, null, read));
                }
            }
            Node inner = ((Group) child).getChild("layers");
            if (inner != null && inner.isGroup()) {
                checkNotLink(inner, childPath + "/layers", budget.name);
                collectKeras3((Group) inner, childPath + "/layers", depth + 1, out, visited, budget);
            }
        }
    }

    private static List<KerasLayer.Var> keras3Vars(Group vars, String path, Budget budget) {
        Map<String, Node> children = vars.getChildren();
        List<KerasLayer.Var> out = new ArrayList<>();
        for (int i = 0; i < children.size(); i++) {
            Node node = children.get(Integer.toString(i));
            if (node == null) {
                throw new WeightsFormatException(budget.name + " has " + children.size() + " entries in " + path
                        + " but no " + i + "; Keras numbers a layer's variables 0, 1, ...");
            }
            checkNotLink(node, path + "/" + i, budget.name);
            if (!(node instanceof Dataset)) {
                throw new WeightsFormatException(budget.name + " has a group at " + path + "/" + i
                        + " where Keras writes a variable");
            }
            out.add(budget.read((Dataset) node, Integer.toString(i), path + "/" + i));
        }
        return out;
    }

    private record Numbered(String base, long index) {}

    /** {@code conv2d} is the first of its class, {@code conv2d_1} the second, and so on. */
    private static Numbered numbered(String name) {
        Matcher m = NUMBERED.matcher(name);
        m.matches();
        return m.group(2) == null ? new Numbered(name, 0) : new Numbered(m.group(1), Long.parseLong(m.group(2)));
    }

    // ---- nodes ----------------------------------------------------------------------------------

    /** The group at a slash-separated path below {@code root}, walked one link at a time. */
    private static Group group(Group root, String path, String file) {
        Node node = walk(root, path, file);
        if (!node.isGroup()) {
            throw new WeightsFormatException(file + " has a dataset at " + path + " where Keras writes a layer group");
        }
        return (Group) node;
    }

    private static Dataset dataset(Group root, String path, String file) {
        Node node = walk(root, path, file);
        if (!(node instanceof Dataset)) {
            throw new WeightsFormatException(file + " has a group at " + root.getPath() + path
                    + " where its weight_names promise a dataset");
        }
        return (Dataset) node;
    }

    private static Node walk(Group root, String path, String file) {
        Node node = root;
        for (String part : path.split("/", -1)) {
            if (part.isEmpty() || part.equals(".") || part.equals("..") || !node.isGroup()) {
                throw new WeightsFormatException(file + " names '" + RestrictedUnpickler.printable(path)
                        + "', which is not a path to a layer's weights");
            }
            Node child = ((Group) node).getChild(part);
            if (child == null) {
                throw new WeightsFormatException(file + " lists '" + RestrictedUnpickler.printable(path)
                        + "' but has no such group or dataset; the file is damaged");
            }
            checkNotLink(child, path, file);
            node = child;
        }
        return node;
    }

    private static void checkNotLink(Node node, String path, String file) {
        if (node.isLink()) {
            throw new WeightsFormatException(file + " has a link at " + RestrictedUnpickler.printable(path)
                    + "; Keras writes no links, and Backlight does not follow them (they may point at other files)");
        }
    }

    /** Reads datasets while counting what they cost. */
    private static final class Budget {
        final String name;
        private long bytesLeft;

        Budget(String name, long fileSize) {
            this.name = name;
            this.bytesLeft = EXPANSION * Math.max(fileSize, 1);
        }

        KerasLayer.Var read(Dataset ds, String var, String path) {
            Class<?> type = ds.getJavaType();
            if (type != float.class && type != double.class) {
                throw new WeightsFormatException(name + " holds " + path + " of type " + type.getSimpleName()
                        + "; Backlight reads float32 and float64 weights");
            }
            int[] dims = ds.getDimensions();
            long elements = 1;
            for (int d : dims) {
                if (d < 0 || (d > 0 && elements > MAX_ELEMENTS / d)) {
                    elements = Long.MAX_VALUE;
                    break;
                }
                elements *= d;
            }
            long bytes = elements == Long.MAX_VALUE ? Long.MAX_VALUE : elements * (type == float.class ? 4 : 8);
            if (elements > MAX_ELEMENTS || bytes > bytesLeft) {
                throw new WeightsFormatException(name + " declares " + path + " of shape "
                        + java.util.Arrays.toString(dims) + ", more than the file can hold; the file is damaged");
            }
            bytesLeft -= bytes;
            FloatBuffer values = direct(ds, elements);
            if (values == null) {
                values = FloatBuffer.wrap(flat(ds, path, elements));
            }
            return new KerasLayer.Var(var, dims, values);
        }

        /**
         * The dataset's float32 values as they lie in the file (mapped, or a view of the archive's
         * bytes), when it is contiguous and unfiltered, as Keras writes weights; else null.
         */
        private FloatBuffer direct(Dataset ds, long elements) {
            if (!(ds instanceof ContiguousDataset) || !ds.getFilters().isEmpty() || elements == 0
                    || !(ds.getDataType() instanceof FloatingPoint) || ds.getDataType().getSize() != 4) {
                return null;
            }
            ByteBuffer bytes = ((ContiguousDataset) ds).getBuffer();
            if (bytes == null || bytes.remaining() != elements * 4) {
                return null; // let jhdf's general path report what is wrong
            }
            // jhdf has set the buffer's byte order to the dataset's.
            return bytes.slice().order(bytes.order()).asFloatBuffer();
        }

        private float[] flat(Dataset ds, String path, long elements) {
            Object data = elements == 0 ? new float[0] : ds.getDataFlat();
            float[] values;
            if (data instanceof float[]) {
                values = (float[]) data;
            } else if (data instanceof double[]) {
                double[] d = (double[]) data;
                values = new float[d.length];
                for (int i = 0; i < d.length; i++) {
                    values[i] = (float) d[i];
                }
            } else {
                throw new WeightsFormatException(name + " holds " + path + " as "
                        + (data == null ? "nothing" : data.getClass().getSimpleName()) + " instead of floats");
            }
            if (values.length != elements) {
                throw new WeightsFormatException(name + " holds " + values.length + " values in " + path
                        + " where its shape needs " + elements + "; the file is damaged");
            }
            return values;
        }
    }
}
