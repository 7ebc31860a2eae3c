package dev.backlight.cuda.natives;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads and renames the shared-library dependencies of a 64-bit little-endian ELF file: its
 * {@code DT_NEEDED} entries and its symbol-version requirements ({@code .gnu.version_r}).
 *
 * <p>The rename is the 2-byte patch that lets JCuda's natives, linked against
 * {@code libcudnn.so.8} / {@code libcublas.so.12}, load against cuDNN 9 / cuBLAS 13: the name is
 * replaced in place in {@code .dynstr} (same length, so no offsets move) — it serves as the
 * NEEDED entry, the version-needed file name and the version name at once — and the ELF hash of
 * the version name ({@code vna_hash}) is recomputed. Nothing else changes.
 */
public final class ElfDependencies {
    private static final int SHT_DYNAMIC = 6;
    private static final int SHT_GNU_VERNEED = 0x6ffffffe;
    private static final long DT_NEEDED = 1;

    private final byte[] elf;
    private final ByteBuffer buf;
    private final long dynstrOffset;
    private final long dynstrSize;
    private final long[] dynamic;
    private final long[] verneed;

    private ElfDependencies(byte[] elf) {
        this.elf = elf;
        this.buf = ByteBuffer.wrap(elf).order(ByteOrder.LITTLE_ENDIAN);
        if (elf.length < 64 || elf[0] != 0x7f || elf[1] != 'E' || elf[2] != 'L' || elf[3] != 'F') {
            throw new IllegalArgumentException("not an ELF file");
        }
        if (elf[4] != 2 || elf[5] != 1) {
            throw new IllegalArgumentException("not a 64-bit little-endian ELF file");
        }
        long shoff = buf.getLong(0x28);
        int shentsize = Short.toUnsignedInt(buf.getShort(0x3A));
        int shnum = Short.toUnsignedInt(buf.getShort(0x3C));
        int shstrndx = Short.toUnsignedInt(buf.getShort(0x3E));
        long[][] sections = new long[shnum][];
        for (int i = 0; i < shnum; i++) {
            int at = Math.toIntExact(shoff + (long) i * shentsize);
            sections[i] = new long[] {Integer.toUnsignedLong(buf.getInt(at)), Integer.toUnsignedLong(buf.getInt(at + 4)),
                buf.getLong(at + 24), buf.getLong(at + 32), Integer.toUnsignedLong(buf.getInt(at + 40)),
                Integer.toUnsignedLong(buf.getInt(at + 44))};
        }
        long shstr = sections[shstrndx][2];
        long[] dynstr = null;
        long[] dyn = null;
        long[] vn = null;
        for (long[] s : sections) {
            String name = string(shstr + s[0]);
            if (name.equals(".dynstr")) {
                dynstr = s;
            } else if (s[1] == SHT_DYNAMIC) {
                dyn = s;
            } else if (s[1] == SHT_GNU_VERNEED) {
                vn = s;
            }
        }
        if (dynstr == null || dyn == null) {
            throw new IllegalArgumentException("no dynamic section: not a shared library");
        }
        this.dynstrOffset = dynstr[2];
        this.dynstrSize = dynstr[3];
        this.dynamic = dyn;
        this.verneed = vn;
    }

    /** Parses an ELF file held in {@code elf} (not copied; {@link #rename} modifies it). */
    public static ElfDependencies of(byte[] elf) {
        return new ElfDependencies(elf);
    }

    /** The {@code DT_NEEDED} library names, in order. */
    public List<String> needed() {
        List<String> out = new ArrayList<>();
        for (long at = dynamic[2]; at + 16 <= dynamic[2] + dynamic[3]; at += 16) {
            long tag = buf.getLong(Math.toIntExact(at));
            if (tag == 0) {
                break;
            }
            if (tag == DT_NEEDED) {
                out.add(string(dynstrOffset + buf.getLong(Math.toIntExact(at + 8))));
            }
        }
        return out;
    }

    /** The version requirements: file name → version names required from it. */
    public Map<String, List<String>> versionNeeds() {
        Map<String, List<String>> out = new LinkedHashMap<>();
        walkVerneed((file, aux) -> out.computeIfAbsent(file, k -> new ArrayList<>()).add(string(dynstrOffset + buf.getInt(aux + 8))));
        return out;
    }

    /** The {@code vna_hash} recorded for each required version name (for checking the patch). */
    public Map<String, Long> versionHashes() {
        Map<String, Long> out = new LinkedHashMap<>();
        walkVerneed((file, aux) -> out.put(string(dynstrOffset + buf.getInt(aux + 8)), Integer.toUnsignedLong(buf.getInt(aux))));
        return out;
    }

    /**
     * Replaces the dependency {@code oldName} by {@code newName} (same length) everywhere it is
     * named, and recomputes the version hash.
     *
     * @return the number of string-table entries changed
     * @throws IllegalArgumentException if the names differ in length or the file does not name {@code oldName}
     */
    public int rename(String oldName, String newName) {
        if (oldName.length() != newName.length()) {
            throw new IllegalArgumentException("'" + oldName + "' and '" + newName + "' differ in length");
        }
        byte[] from = (oldName + "\0").getBytes(StandardCharsets.US_ASCII);
        byte[] to = (newName + "\0").getBytes(StandardCharsets.US_ASCII);
        int changed = 0;
        int lo = Math.toIntExact(dynstrOffset);
        int hi = Math.toIntExact(dynstrOffset + dynstrSize);
        for (int i = lo; i + from.length <= hi; i++) {
            if ((i == lo || elf[i - 1] == 0) && matches(i, from)) {
                System.arraycopy(to, 0, elf, i, to.length);
                changed++;
            }
        }
        if (changed == 0) {
            throw new IllegalArgumentException("the library does not depend on " + oldName);
        }
        long hash = elfHash(newName);
        walkVerneed((file, aux) -> {
            if (string(dynstrOffset + buf.getInt(aux + 8)).equals(newName)) {
                buf.putInt(aux, (int) hash);
            }
        });
        return changed;
    }

    /** The System V ELF hash of a symbol-version name. */
    static long elfHash(String name) {
        long h = 0;
        for (byte b : name.getBytes(StandardCharsets.US_ASCII)) {
            h = ((h << 4) + (b & 0xff)) & 0xffffffffL;
            long g = h & 0xf0000000L;
            if (g != 0) {
                h ^= g >>> 24;
            }
            h &= ~g & 0xffffffffL;
        }
        return h;
    }

    private interface AuxVisitor {
        void visit(String file, int auxOffset);
    }

    private void walkVerneed(AuxVisitor visitor) {
        if (verneed == null) {
            return;
        }
        int at = Math.toIntExact(verneed[2]);
        for (long n = 0; n < verneed[5]; n++) {
            int count = Short.toUnsignedInt(buf.getShort(at + 2));
            String file = string(dynstrOffset + buf.getInt(at + 4));
            int aux = at + buf.getInt(at + 8);
            for (int k = 0; k < count; k++) {
                visitor.visit(file, aux);
                int next = buf.getInt(aux + 12);
                if (next == 0) {
                    break;
                }
                aux += next;
            }
            int nextEntry = buf.getInt(at + 12);
            if (nextEntry == 0) {
                break;
            }
            at += nextEntry;
        }
    }

    private boolean matches(int at, byte[] s) {
        for (int k = 0; k < s.length; k++) {
            if (elf[at + k] != s[k]) {
                return false;
            }
        }
        return true;
    }

    private String string(long offset) {
        int start = Math.toIntExact(offset);
        int end = start;
        while (elf[end] != 0) {
            end++;
        }
        return new String(elf, start, end - start, StandardCharsets.US_ASCII);
    }
}
