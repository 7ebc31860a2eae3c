package dev.backlight.densenet.weights;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Collections;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The zip fast path finds every stored entry of the files torch and Keras write (so that their
 * bytes are read where they lie), agrees byte for byte with {@link ZipFile}, and leaves out what it
 * cannot vouch for (compressed entries, a central directory that points at the wrong header).
 */
class ZipStoredEntriesTest {
    @TempDir
    Path dir;

    @ParameterizedTest
    @ValueSource(strings = {"zip.pth", "pytorch_model.bin", "wrapped.pth.tar", "keras3.keras"})
    void findsEveryStoredEntryWithZipFilesBytes(String fixture) throws IOException {
        Path file = Fixtures.copy(fixture, dir);
        try (ZipFile zip = new ZipFile(file.toFile()); FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            Map<String, ZipStoredEntries.Range> ranges = ZipStoredEntries.find(channel);
            int stored = 0;
            for (ZipEntry entry : Collections.list(zip.entries())) {
                if (entry.getMethod() != ZipEntry.STORED) {
                    assertFalse(ranges.containsKey(entry.getName()), entry.getName());
                    continue;
                }
                stored++;
                ZipStoredEntries.Range range = ranges.get(entry.getName());
                assertEquals(entry.getSize(), range.size(), entry.getName());
                ByteBuffer direct = ByteBuffer.allocate((int) range.size());
                channel.read(direct, range.offset());
                try (InputStream in = zip.getInputStream(entry)) {
                    assertArrayEquals(in.readAllBytes(), direct.array(), entry.getName());
                }
            }
            assertEquals(stored, ranges.size());
            assertTrue(stored >= 3, fixture + " has " + stored + " stored entries");
        }
    }

    @Test
    void leavesOutCompressedEntriesAndHeadersThatDisagree() throws IOException {
        Path file = dir.resolve("mixed.zip");
        try (OutputStream os = Files.newOutputStream(file); ZipOutputStream zip = new ZipOutputStream(os)) {
            zip.putNextEntry(new ZipEntry("deflated"));
            zip.write("some text that compresses, some text that compresses".getBytes(StandardCharsets.UTF_8));
        }
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            assertTrue(ZipStoredEntries.find(channel).isEmpty());
        }
        // A stored entry whose local header is renamed: the directory no longer vouches for it.
        Path stored = PickleBytes.zipCheckpoint(dir.resolve("stored.pth"), new byte[] {'.'},
                PickleBytes.storage("0", new byte[] {1, 2, 3, 4}));
        byte[] bytes = Files.readAllBytes(stored);
        String text = new String(bytes, StandardCharsets.ISO_8859_1);
        int local = text.indexOf("archive/data/0");
        bytes[local + "archive/data/".length()] = '9';
        Files.write(stored, bytes);
        try (FileChannel channel = FileChannel.open(stored, StandardOpenOption.READ)) {
            Map<String, ZipStoredEntries.Range> ranges = ZipStoredEntries.find(channel);
            assertFalse(ranges.containsKey("archive/data/0"));
            assertTrue(ranges.containsKey("archive/data.pkl"));
        }
        // Not a zip at all.
        Path noise = Files.write(dir.resolve("noise"), new byte[100]);
        try (FileChannel channel = FileChannel.open(noise, StandardOpenOption.READ)) {
            assertTrue(ZipStoredEntries.find(channel).isEmpty());
        }
    }
}
