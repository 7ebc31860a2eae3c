package dev.backlight.densenet.weights;

import dev.backlight.api.Weights;
import dev.backlight.api.WeightsFormatException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;

/**
 * The one way to read DenseNet weights from a file: the format is found from the file's bytes
 * (never its name), the tensors come back float32 under torchvision's state-dict names, with the
 * class count and batch-norm epsilon the model needs.
 *
 * <table>
 *   <caption>Formats</caption>
 *   <tr><th>format</th><th>recognised by</th><th>read by</th></tr>
 *   <tr><td>safetensors</td><td>an 8-byte header length, then {@code {}}</td><td>{@link SafetensorsReader}</td></tr>
 *   <tr><td>PyTorch zip ({@code .pth .pt .bin})</td><td>a zip with {@code <top>/data.pkl}</td>
 *       <td>a restricted unpickler of our own</td></tr>
 *   <tr><td>PyTorch legacy</td><td>a protocol-2 pickle of torch's magic number</td><td>the same</td></tr>
 *   <tr><td>Keras {@code .h5}, {@code .weights.h5}</td><td>the HDF5 signature</td><td>jhdf</td></tr>
 *   <tr><td>Keras {@code .keras}</td><td>a zip with {@code model.weights.h5}</td><td>jhdf</td></tr>
 * </table>
 *
 * <p>PyTorch's pre-2017 tar checkpoints, TorchScript archives and anything else are refused with a
 * {@link WeightsFormatException} that names the formats read. In every format, names are mapped
 * to torchvision's: a training checkpoint is unwrapped to its state dict, {@code module.} and
 * {@code _orig_mod.} prefixes are stripped, 2017 names ({@code norm.1}) are renamed, Keras layers
 * are renamed and transposed, {@code num_batches_tracked} is dropped (see {@code docs/WEIGHTS.md}).
 * Safe by construction: nothing in a file is ever run, instantiated or looked up by name, and every
 * size is checked against the file before it is used.
 *
 * <p>Stateless and thread-safe. The returned weights belong to the caller.
 */
public final class WeightsFiles {
    private static final System.Logger LOG = System.getLogger(WeightsFiles.class.getName());
    /** The formats, for the message about a file that is none of them. */
    static final String FORMATS_READ = "Backlight reads safetensors, PyTorch checkpoints (.pth/.pt/.bin written by"
            + " torch.save, zip or legacy) and Keras weights (.h5, .weights.h5, .keras)";
    private static final int SNIFF_BYTES = 4096;
    private static final byte[] HDF5_SIGNATURE = {(byte) 0x89, 'H', 'D', 'F', '\r', '\n', 0x1a, '\n'};
    /** PROTO 2, LONG1 of 10 bytes: torch's magic number 0x1950a86a20f9469cfc6c, STOP. */
    private static final byte[] LEGACY_MAGIC = {(byte) 0x80, 0x02, (byte) 0x8a, 0x0a, 0x6c, (byte) 0xfc, (byte) 0x9c,
        0x46, (byte) 0xf9, 0x20, 0x6a, (byte) 0xa8, 0x50, 0x19, 0x2e};

    private WeightsFiles() {}

    /**
     * Reads the weights in {@code file}, whatever its format.
     *
     * @throws UnsafePickleException if a PyTorch checkpoint pickles code, a whole model or anything
     *     else outside the restricted unpickler's allow-lists
     * @throws WeightsFormatException if the file cannot be read, is in no format read here, is
     *     malformed, truncated or lies about its sizes, holds a non-float tensor, or has no
     *     two-dimensional {@code classifier.weight}
     */
    public static LoadedWeights read(Path file) {
        WeightsFileFormat format = detect(file);
        LOG.log(System.Logger.Level.DEBUG, () -> "reading " + file + " as " + format);
        Weights weights;
        switch (format) {
            case SAFETENSORS:
                Weights raw = SafetensorsReader.read(file);
                weights = Weights.of(StateDictKeys.torchvisionNames(raw.asMap(), raw.source()), raw.source());
                break;
            case PYTORCH_ZIP:
                weights = PyTorchCheckpointReader.readZip(file);
                break;
            case PYTORCH_LEGACY:
                weights = PyTorchCheckpointReader.readLegacy(file);
                break;
            case KERAS_ARCHIVE:
                weights = KerasWeightsReader.readArchive(file).weights();
                break;
            default: {
                KerasWeightsReader.Result result = KerasWeightsReader.readHdf5(file);
                weights = result.weights();
                return new LoadedWeights(weights, result.layout() == KerasWeightsReader.Layout.KERAS3
                        ? WeightsFileFormat.KERAS_WEIGHTS_H5 : WeightsFileFormat.KERAS_H5);
            }
        }
        return new LoadedWeights(weights, format);
    }

    /**
     * The format of {@code file}, from its first bytes (and, for a zip archive, its entry names).
     * HDF5 files are reported as {@link WeightsFileFormat#KERAS_H5}; which Keras layout they hold
     * is known once they are read.
     *
     * @throws WeightsFormatException if the file cannot be read or is in no format read here,
     *     saying which formats are
     */
    public static WeightsFileFormat detect(Path file) {
        String name = file.toString();
        if (Files.isDirectory(file)) {
            throw new WeightsFormatException(name + " is a folder (a TensorFlow SavedModel?), not a weights file; "
                    + FORMATS_READ + ": save Keras weights with model.save_weights('model.weights.h5')");
        }
        byte[] head;
        long size;
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            size = channel.size();
            ByteBuffer buffer = ByteBuffer.allocate((int) Math.min(SNIFF_BYTES, size));
            while (buffer.hasRemaining() && channel.read(buffer) >= 0) {
                // fill
            }
            head = Arrays.copyOf(buffer.array(), buffer.position());
        } catch (IOException e) {
            throw new WeightsFormatException("cannot read weights file " + name + ": " + e
                    + "; check the path and permissions", e);
        }
        if (startsWith(head, 0, new byte[] {'P', 'K', 3, 4})) {
            return zipFormat(file, name);
        }
        for (int at : new int[] {0, 512, 1024, 2048}) {
            if (startsWith(head, at, HDF5_SIGNATURE)) {
                return WeightsFileFormat.KERAS_H5;
            }
        }
        if (startsWith(head, 0, LEGACY_MAGIC)) {
            return WeightsFileFormat.PYTORCH_LEGACY;
        }
        if (startsWith(head, 257, "ustar".getBytes(StandardCharsets.US_ASCII))) {
            throw new WeightsFormatException(name + " is a tar archive: PyTorch's checkpoint format before 0.3"
                    + " (2017), which Backlight does not read (PyTorch's own weights_only loader refuses it too);"
                    + " load it with an old PyTorch you trust and save model.state_dict() again with torch.save");
        }
        if (head.length >= 9) {
            long headerLength = ByteBuffer.wrap(head, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
            if (headerLength > 0 && headerLength <= size - 8 && head[8] == '{') {
                return WeightsFileFormat.SAFETENSORS;
            }
        }
        String hint = head.length > 0 && (head[0] & 0xff) == 0x80
                ? " It is a Python pickle, but not one torch.save wrote (or one saved with pickle_protocol above 2):"
                        + " save the state dict with torch.save(model.state_dict(), path) and its default protocol."
                : startsWith(head, 0, "GGUF".getBytes(StandardCharsets.US_ASCII)) ? " It is a GGUF file." : "";
        throw new WeightsFormatException(name + " is in no weights format Backlight knows: " + FORMATS_READ + "."
                + hint + " Convert other formats with Python, e.g. safetensors.torch.save_file(state_dict,"
                + " 'model.safetensors')");
    }

    private static WeightsFileFormat zipFormat(Path file, String name) {
        try (ZipFile zip = new ZipFile(file.toFile())) {
            if (zip.getEntry(KerasWeightsReader.ARCHIVE_ENTRY) != null || zip.getEntry("config.json") != null
                    && zip.getEntry("metadata.json") != null) {
                return WeightsFileFormat.KERAS_ARCHIVE;
            }
            // The zip reader finds the top folder itself and says what is missing.
            return WeightsFileFormat.PYTORCH_ZIP;
        } catch (ZipException e) {
            throw new WeightsFormatException(name + " starts like a zip archive but is not a readable one ("
                    + e.getMessage() + "); the file is damaged or truncated: copy it again", e);
        } catch (IOException e) {
            throw new WeightsFormatException("cannot read weights file " + name + ": " + e
                    + "; check the path and permissions", e);
        }
    }

    private static boolean startsWith(byte[] bytes, int at, byte[] prefix) {
        if (bytes.length < at + prefix.length) {
            return false;
        }
        for (int i = 0; i < prefix.length; i++) {
            if (bytes[at + i] != prefix[i]) {
                return false;
            }
        }
        return true;
    }
}
