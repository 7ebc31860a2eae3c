package dev.backlight.densenet.weights;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * Writes pickles opcode by opcode, as Python's pickler (protocol 2) lays them out, and wraps them
 * in the two torch.save containers; for tests that need pickles no well-behaved writer makes.
 */
final class PickleBytes {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    static PickleBytes protocol2() {
        return new PickleBytes().raw(0x80, 2);
    }

    static byte[] hex(String hex) {
        return HexFormat.of().parseHex(hex.replace(" ", ""));
    }

    PickleBytes raw(int... bytes) {
        for (int b : bytes) {
            out.write(b);
        }
        return this;
    }

    PickleBytes raw(byte[] bytes) {
        out.writeBytes(bytes);
        return this;
    }

    PickleBytes op(char opcode) {
        return raw(opcode);
    }

    PickleBytes global(String module, String name) {
        return op('c').raw((module + "\n" + name + "\n").getBytes(StandardCharsets.US_ASCII));
    }

    PickleBytes string(String s) {
        byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
        ByteBuffer length = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(utf8.length);
        return op('X').raw(length.array()).raw(utf8);
    }

    PickleBytes int1(int v) {
        return op('K').raw(v);
    }

    PickleBytes int4(int v) {
        return op('J').raw(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(v).array());
    }

    PickleBytes put(int index) {
        return op('q').raw(index);
    }

    PickleBytes get(int index) {
        return op('h').raw(index);
    }

    PickleBytes longPut(long index) {
        return op('r').raw(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt((int) index).array());
    }

    /** {@code torch._utils._rebuild_tensor_v2(pid(storage), offset, size, stride, False, OrderedDict())}. */
    PickleBytes tensor(String storageType, String key, long numel, int offset, int[] size, int[] stride) {
        global("torch._utils", "_rebuild_tensor_v2");
        op('(');
        storage(storageType, key, numel);
        int4(offset);
        op('(');
        for (int s : size) {
            int4(s);
        }
        op('t');
        op('(');
        for (int s : stride) {
            int4(s);
        }
        op('t');
        raw(0x89);
        global("collections", "OrderedDict").op(')').op('R');
        op('t');
        return op('R');
    }

    /** The persistent id {@code ('storage', torch.<type>, key, 'cpu', numel)}. */
    PickleBytes storage(String storageType, String key, long numel) {
        op('(').string("storage").global("torch", storageType).string(key).string("cpu");
        if (numel < 1L << 31) {
            int4((int) numel);
        } else {
            raw(0x8a, 8).raw(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(numel).array());
        }
        return op('t').op('Q');
    }

    /** An OrderedDict of the entries the action pushes (key, value pairs), as torch.save writes a state dict. */
    PickleBytes orderedDict(Runnable entries) {
        global("collections", "OrderedDict").op(')').op('R').op('(');
        entries.run();
        return op('u');
    }

    PickleBytes stop() {
        return op('.');
    }

    byte[] bytes() {
        return out.toByteArray();
    }

    // ---- containers ---------------------------------------------------------------------------

    /**
     * A zip checkpoint: {@code archive/data.pkl}, {@code archive/data/<key>} for each storage,
     * {@code archive/version}; stored, as torch writes them.
     */
    static Path zipCheckpoint(Path file, byte[] pickle, Map<String, byte[]> storages) {
        try (OutputStream os = Files.newOutputStream(file); ZipOutputStream zip = new ZipOutputStream(os)) {
            stored(zip, "archive/data.pkl", pickle);
            for (Map.Entry<String, byte[]> e : storages.entrySet()) {
                stored(zip, "archive/data/" + e.getKey(), e.getValue());
            }
            stored(zip, "archive/version", "3\n".getBytes(StandardCharsets.US_ASCII));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return file;
    }

    private static void stored(ZipOutputStream zip, String name, byte[] data) throws IOException {
        ZipEntry entry = new ZipEntry(name);
        entry.setMethod(ZipEntry.STORED);
        entry.setSize(data.length);
        CRC32 crc = new CRC32();
        crc.update(data);
        entry.setCrc(crc.getValue());
        zip.putNextEntry(entry);
        zip.write(data);
        zip.closeEntry();
    }

    /**
     * A legacy checkpoint: magic number, protocol 1001, sys_info, {@code pickle}, the keys, then per
     * key its element count and bytes ({@code elementBytes} wide).
     */
    static byte[] legacyCheckpoint(byte[] pickle, Map<String, byte[]> storages, int elementBytes) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(hex("80028a0a6cfc9c46f9206aa850192e"));
        out.writeBytes(hex("80024de9032e"));
        out.writeBytes(protocol2().op('}').op('(').string("protocol_version").raw('M', 0xe9, 0x03)
                .string("little_endian").raw(0x88).string("type_sizes").op('}').op('(').string("short").int1(2)
                .string("int").int1(4).string("long").int1(4).op('u').op('u').stop().bytes());
        out.writeBytes(pickle);
        PickleBytes keys = protocol2().op(']').op('(');
        for (String key : storages.keySet()) {
            keys.string(key);
        }
        out.writeBytes(keys.op('e').stop().bytes());
        for (byte[] data : storages.values()) {
            out.writeBytes(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(data.length / elementBytes)
                    .array());
            out.writeBytes(data);
        }
        return out.toByteArray();
    }

    /** Little-endian float32 bytes. */
    static byte[] floats(float... values) {
        ByteBuffer b = ByteBuffer.allocate(4 * values.length).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : values) {
            b.putFloat(v);
        }
        return b.array();
    }

    /** One storage, for {@link #zipCheckpoint} and {@link #legacyCheckpoint}. */
    static Map<String, byte[]> storage(String key, byte[] data) {
        Map<String, byte[]> m = new LinkedHashMap<>();
        m.put(key, data);
        return m;
    }
}
