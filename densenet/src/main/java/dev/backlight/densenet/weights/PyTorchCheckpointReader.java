package dev.backlight.densenet.weights;

import dev.backlight.api.Tensor;
import dev.backlight.api.Weights;
import dev.backlight.api.WeightsFormatException;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;

/**
 * Reads the state dict of a {@code torch.save} checkpoint ({@code .pth}, {@code .pt},
 * {@code .bin}) through {@link RestrictedUnpickler}, in either container:
 *
 * <ul>
 *   <li><b>zip</b> (PyTorch 1.6 and later): {@code <top>/data.pkl}, one entry
 *       {@code <top>/data/<key>} per storage (raw bytes), {@code <top>/byteorder} (absent means
 *       little-endian); the top folder is the saved file's stem or {@code archive}. Read with
 *       {@link ZipFile}, which handles the data descriptors torch's writer uses.
 *   <li><b>legacy</b> ({@code _use_new_zipfile_serialization=False}, and every file before 1.6):
 *       five pickles in a row (magic number, protocol 1001, {@code sys_info}, the object, the
 *       storage keys), then per key an int64 element count and the little-endian elements.
 * </ul>
 *
 * The state dict is found and renamed by {@link StateDictKeys}. Every storage's size is checked
 * against the bytes the file holds for it before any tensor is read, and only the tensors of the
 * state dict are read (an optimizer's state in the same file is not). Stateless.
 */
final class PyTorchCheckpointReader {
    private static final System.Logger LOG = System.getLogger(PyTorchCheckpointReader.class.getName());
    /** data.pkl of a DenseNet-201 state dict is about 100 KB; a training checkpoint a few MB. */
    static final int MAX_PICKLE_BYTES = 256 << 20;
    static final BigInteger LEGACY_MAGIC = new BigInteger("1950a86a20f9469cfc6c", 16);
    private static final long LEGACY_PROTOCOL = 1001;
    static final long VIEW_FACTOR = 4;

    private PyTorchCheckpointReader() {}

    // ---- zip ------------------------------------------------------------------------------------

    /**
     * Reads a zip checkpoint.
     *
     * @throws UnsafePickleException if its pickle is refused
     * @throws WeightsFormatException if it is not a well-formed checkpoint of float tensors
     */
    static Weights readZip(Path file) {
        String name = file.toString();
        try (ZipFile zip = new ZipFile(file.toFile()); FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            String top = topFolder(zip, name);
            ZipEntry pkl = zip.getEntry(top + "data.pkl");
            if (pkl == null) {
                throw new WeightsFormatException(name + " is a zip archive without " + top + "data.pkl, so not a"
                        + " torch.save checkpoint" + zipHint(zip) + "; save model.state_dict() with torch.save");
            }
            ByteOrder order = byteOrder(zip, top, name);
            String source = name + " (" + pkl.getName() + ")";
            Map<String, Pickled.Storage> storages = new LinkedHashMap<>();
            Object root = RestrictedUnpickler.load(PickleInput.of(entryBytes(zip, pkl, MAX_PICKLE_BYTES, name)),
                    source, storages);
            Map<String, Pickled.TensorRef> tensors =
                    StateDictKeys.torchvisionNames(StateDictKeys.stateDict(root, name), name);
            Map<String, ZipEntry> entries = new HashMap<>();
            for (Pickled.TensorRef t : tensors.values()) {
                Pickled.Storage s = t.storage();
                if (!entries.containsKey(s.key())) {
                    entries.put(s.key(), storageEntry(zip, top, s, name));
                }
            }
            // torch stores storages uncompressed: read them from the file where they lie when the
            // directory says where (every torch-written file), else through ZipFile's stream.
            Map<String, ZipStoredEntries.Range> ranges = ZipStoredEntries.find(channel);
            TorchTensors.StorageBytes bytes = (storage, byteOffset) -> {
                ZipEntry entry = entries.get(storage.key());
                ZipStoredEntries.Range range = ranges.get(entry.getName());
                if (range != null && range.size() == entry.getSize()) {
                    return new RangeChannel(channel, range.offset() + byteOffset);
                }
                InputStream in = zip.getInputStream(entry);
                try {
                    in.skipNBytes(byteOffset);
                } catch (EOFException e) {
                    in.close();
                    throw new WeightsFormatException(name + " ends inside storage '" + storage.key()
                            + "'; the file is truncated: copy it again", e);
                }
                return Channels.newChannel(in);
            };
            LOG.log(System.Logger.Level.DEBUG, () -> "reading " + tensors.size() + " tensors of " + name
                    + " (PyTorch zip, top folder '" + top + "', " + order + ")");
            return Weights.of(read(tensors, bytes, order, name), name);
        } catch (ZipException e) {
            throw new WeightsFormatException(name + " is not a readable zip archive (" + e.getMessage()
                    + "); the file is damaged or truncated: copy it again", e);
        } catch (IOException e) {
            throw new WeightsFormatException("cannot read weights file " + name + ": " + e
                    + "; check the path and permissions", e);
        }
    }

    /** The folder every entry is under, with its slash: torch writes one and only one. */
    private static String topFolder(ZipFile zip, String name) {
        Enumeration<? extends ZipEntry> all = zip.entries();
        if (!all.hasMoreElements()) {
            throw new WeightsFormatException(name + " is an empty zip archive, not a torch.save checkpoint");
        }
        String first = all.nextElement().getName();
        int slash = first.indexOf('/');
        if (slash <= 0) {
            throw new WeightsFormatException(name + " is a zip archive whose first entry '"
                    + RestrictedUnpickler.printable(first) + "' is not inside a folder, so not a torch.save checkpoint"
                    + zipHint(zip));
        }
        return first.substring(0, slash + 1);
    }

    /** What else a zip with pickles might be, to say in the message. */
    static String zipHint(ZipFile zip) {
        Enumeration<? extends ZipEntry> all = zip.entries();
        for (int i = 0; i < 10_000 && all.hasMoreElements(); i++) {
            String entry = all.nextElement().getName();
            if (entry.endsWith("/constants.pkl") || entry.contains("/code/")) {
                return " (it is a TorchScript archive from torch.jit.save, which holds code: load it in Python and"
                        + " save its state_dict() instead)";
            }
            if (entry.endsWith(".npy")) {
                return " (it looks like a NumPy .npz archive)";
            }
        }
        return "";
    }

    private static ByteOrder byteOrder(ZipFile zip, String top, String name) throws IOException {
        ZipEntry entry = zip.getEntry(top + "byteorder");
        if (entry == null) {
            return ByteOrder.LITTLE_ENDIAN;
        }
        String order = new String(entryBytes(zip, entry, 16, name), StandardCharsets.US_ASCII).trim();
        switch (order) {
            case "little":
                return ByteOrder.LITTLE_ENDIAN;
            case "big":
                return ByteOrder.BIG_ENDIAN;
            default:
                throw new WeightsFormatException(name + " has a byteorder record that says '"
                        + RestrictedUnpickler.printable(order) + "' instead of 'little' or 'big'");
        }
    }

    private static ZipEntry storageEntry(ZipFile zip, String top, Pickled.Storage s, String name) {
        ZipEntry entry = zip.getEntry(top + "data/" + s.key());
        if (entry == null) {
            throw new WeightsFormatException(name + " has no entry " + top + "data/" + s.key()
                    + " for a storage its pickle names; the file is damaged: save it again");
        }
        if (entry.getMethod() != ZipEntry.STORED) {
            // torch.save stores storages uncompressed; a compressed one could expand far beyond the file.
            throw new WeightsFormatException(name + " holds storage " + entry.getName() + " compressed, which"
                    + " torch.save never does; save the state dict again with torch.save");
        }
        int width = s.type().bytes();
        if (entry.getSize() < 0 || entry.getSize() % width != 0 || entry.getSize() / width != s.rootNumel()) {
            throw new WeightsFormatException(name + " holds " + entry.getSize() + " bytes in " + entry.getName()
                    + " where its pickle promises " + s.rootNumel() + " " + s.type().globalName() + " elements of "
                    + width + " bytes; the file is damaged: save it again");
        }
        return entry;
    }

    /** An entry's bytes, at most {@code limit}, whatever its header claims. */
    private static byte[] entryBytes(ZipFile zip, ZipEntry entry, int limit, String name) throws IOException {
        if (entry.getSize() > limit) {
            throw new WeightsFormatException(name + " has an entry " + entry.getName() + " of " + entry.getSize()
                    + " bytes, more than the " + limit + " Backlight reads; save model.state_dict() alone");
        }
        try (InputStream in = zip.getInputStream(entry)) {
            byte[] bytes = in.readNBytes(limit);
            if (in.read() >= 0) {
                throw new WeightsFormatException(name + " has an entry " + entry.getName()
                        + " longer than the " + limit + " bytes Backlight reads; save model.state_dict() alone");
            }
            if (entry.getSize() >= 0 && bytes.length != entry.getSize()) {
                throw new WeightsFormatException(name + " has an entry " + entry.getName() + " of " + bytes.length
                        + " bytes where its header says " + entry.getSize() + "; the file is damaged: copy it again");
            }
            return bytes;
        }
    }

    // ---- legacy ---------------------------------------------------------------------------------

    /**
     * Reads a legacy (pre-zip) checkpoint.
     *
     * @throws UnsafePickleException if one of its pickles is refused
     * @throws WeightsFormatException if it is not a well-formed checkpoint of float tensors
     */
    static Weights readLegacy(Path file) {
        String name = file.toString();
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            return readLegacy(channel, name);
        } catch (IOException e) {
            throw new WeightsFormatException("cannot read weights file " + name + ": " + e
                    + "; check the path and permissions", e);
        }
    }

    /** The seam for tests and fuzzing; the caller owns the channel. */
    static Weights readLegacy(SeekableByteChannel channel, String name) throws IOException {
        long size = channel.size();
        PickleInput in = PickleInput.of(channel, 0, size);
        Object magic = RestrictedUnpickler.load(in, name + " (magic number)");
        if (!LEGACY_MAGIC.equals(magic instanceof Long ? BigInteger.valueOf((Long) magic) : magic)) {
            throw new WeightsFormatException(name + " starts with a pickle that is not torch.save's magic number;"
                    + " it is not a PyTorch checkpoint");
        }
        Object protocol = RestrictedUnpickler.load(in, name + " (protocol)");
        if (!Long.valueOf(LEGACY_PROTOCOL).equals(protocol)) {
            throw new WeightsFormatException(name + " declares legacy serialization protocol "
                    + (protocol instanceof Long ? protocol : Pickled.typeName(protocol)) + "; Backlight reads "
                    + LEGACY_PROTOCOL + ", which every torch.save since 2017 writes");
        }
        checkSysInfo(RestrictedUnpickler.load(in, name + " (sys_info)"), name);
        Map<String, Pickled.Storage> storages = new LinkedHashMap<>();
        Object root = RestrictedUnpickler.load(in, name, storages);
        Object keysValue = RestrictedUnpickler.load(in, name + " (storage keys)");
        Map<String, Long> dataStart = storageOffsets(channel, keysValue, storages, in.position(), size, name);
        Map<String, Pickled.TensorRef> tensors =
                StateDictKeys.torchvisionNames(StateDictKeys.stateDict(root, name), name);
        TorchTensors.StorageBytes bytes = (storage, byteOffset) ->
                new RangeChannel(channel, dataStart.get(storage.key()) + byteOffset);
        LOG.log(System.Logger.Level.DEBUG, () -> "reading " + tensors.size() + " tensors of " + name
                + " (PyTorch legacy format, " + storages.size() + " storages)");
        return Weights.of(read(tensors, bytes, ByteOrder.LITTLE_ENDIAN, name), name);
    }

    private static void checkSysInfo(Object value, String name) {
        if (!(value instanceof Pickled.Dict)) {
            throw new WeightsFormatException(name + " has a sys_info record that is a " + Pickled.typeName(value)
                    + " instead of a dict; the file is damaged");
        }
        Object little = ((Pickled.Dict) value).entries().get("little_endian");
        if (!Boolean.TRUE.equals(little)) {
            throw new WeightsFormatException(name + " was saved on a big-endian machine (sys_info little_endian is "
                    + (little instanceof Boolean ? little : Pickled.typeName(little)) + "); Backlight reads"
                    + " little-endian legacy checkpoints: save it again with a current torch.save");
        }
    }

    /**
     * Where each storage's elements start: after the pickles, per key in list order, an int64
     * element count and the elements. Each count must equal the size the pickle gave the storage,
     * and all of it must lie inside the file.
     */
    private static Map<String, Long> storageOffsets(SeekableByteChannel channel, Object keysValue,
            Map<String, Pickled.Storage> storages, long position, long size, String name) throws IOException {
        if (!(keysValue instanceof List)) {
            throw new WeightsFormatException(name + " lists its storage keys as a " + Pickled.typeName(keysValue)
                    + " instead of a list; the file is damaged");
        }
        Map<String, Long> dataStart = new HashMap<>();
        long at = position;
        for (Object key : new ArrayList<>((List<?>) keysValue)) {
            Pickled.Storage storage = key instanceof String ? storages.get(key) : null;
            if (storage == null) {
                throw new WeightsFormatException(name + " lists a storage key that no tensor uses, so its size is"
                        + " unknown; the file is damaged: save it again");
            }
            if (dataStart.containsKey(key)) {
                throw new WeightsFormatException(name + " lists storage '" + key + "' twice; the file is damaged");
            }
            if (size - at < 8) {
                throw truncated(name, (String) key);
            }
            ByteBuffer count = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            channel.position(at);
            while (count.hasRemaining()) {
                if (channel.read(count) < 0) {
                    throw truncated(name, (String) key);
                }
            }
            long numel = count.flip().getLong();
            if (numel != storage.rootNumel()) {
                throw new WeightsFormatException(name + " gives storage '" + key + "' " + numel
                        + " elements where its pickle says " + storage.rootNumel() + "; the file is damaged");
            }
            if (numel > (size - at - 8) / storage.type().bytes()) {
                throw truncated(name, (String) key);
            }
            long bytes = numel * storage.type().bytes();
            dataStart.put((String) key, at + 8);
            at += 8 + bytes;
        }
        for (String key : storages.keySet()) {
            if (!dataStart.containsKey(key)) {
                throw new WeightsFormatException(name + " does not list storage '" + key
                        + "', which a tensor uses; the file is damaged: save it again");
            }
        }
        return dataStart;
    }

    private static WeightsFormatException truncated(String name, String key) {
        return new WeightsFormatException(name + " ends inside storage '" + key + "'; the file is truncated:"
                + " copy it again");
    }

    // ---- shared ---------------------------------------------------------------------------------

    /**
     * Reads the tensors. A tensor pickled twice (memoized) is read once and shared. Views of one
     * storage are each read, so that their total is bounded: at most {@value #VIEW_FACTOR} times
     * the elements of the storages they use, which real state dicts never approach (tied weights
     * make 2) and which keeps a small hostile pickle from reading one large storage many times.
     */
    private static Map<String, Tensor> read(Map<String, Pickled.TensorRef> refs, TorchTensors.StorageBytes bytes,
            ByteOrder order, String name) throws IOException {
        Map<Pickled.TensorRef, Tensor> done = new IdentityHashMap<>();
        Map<String, Long> storageElements = new HashMap<>();
        long elements = 0;
        for (Pickled.TensorRef t : refs.values()) {
            storageElements.put(t.storage().key(), t.storage().rootNumel());
            if (!done.containsKey(t)) {
                done.put(t, null);
                elements += Math.min(t.numel(), TorchTensors.MAX_ELEMENTS + 1);
            }
        }
        long stored = storageElements.values().stream().mapToLong(Long::longValue).sum();
        if (elements > VIEW_FACTOR * stored + 65_536) {
            throw new WeightsFormatException(name + " has tensors of " + elements + " elements in all, viewing storages"
                    + " of " + stored + "; Backlight reads at most " + VIEW_FACTOR + " times the stored elements:"
                    + " save the state dict again with every tensor .clone()d");
        }
        long largest = 0;
        for (Pickled.TensorRef t : refs.values()) {
            largest = Math.max(largest, Math.min(t.numel(), TorchTensors.MAX_ELEMENTS) * t.storage().type().bytes());
        }
        ByteBuffer chunk = TorchTensors.chunk(largest, order);
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (Map.Entry<String, Pickled.TensorRef> e : refs.entrySet()) {
            Tensor t = done.get(e.getValue());
            if (t == null) {
                t = TorchTensors.read(e.getValue(), bytes, chunk, e.getKey(), name);
                done.put(e.getValue(), t);
            }
            out.put(e.getKey(), t);
        }
        return out;
    }

    /** A channel over a file from a position on, with positional reads (the file's position is not used). */
    private static final class RangeChannel implements ReadableByteChannel {
        private final SeekableByteChannel file;
        private long position;
        private boolean open = true;

        RangeChannel(SeekableByteChannel file, long position) {
            this.file = file;
            this.position = position;
        }

        @Override
        public int read(ByteBuffer into) throws IOException {
            file.position(position);
            int n = file.read(into);
            if (n > 0) {
                position += n;
            }
            return n;
        }

        @Override
        public boolean isOpen() {
            return open;
        }

        @Override
        public void close() {
            open = false;
        }
    }
}
