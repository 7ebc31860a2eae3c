package dev.backlight.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.backlight.api.BacklightException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Both stores write complete files at their final names, replace what an earlier attempt wrote,
 * leave no temporary file, and keep every file inside the output folder. The Hadoop store is run on
 * Hadoop's local file system, the same code path as HDFS or S3 apart from the file system itself.
 */
class OutputStoreTest {
    @TempDir
    Path temp;

    @Test
    void theLocalStoreWritesBelowItsFolderAndReplaces() throws IOException {
        try (OutputStore store = OutputStore.open(temp.toString(), null, 1)) {
            assertInstanceOf(OutputStore.Local.class, store);
            assertEquals(temp + "/a/b/x.npy", store.write("a/b/x.npy", file -> write(file, "first")));
            store.write("a/b/x.npy", file -> write(file, "second"));
        }
        assertEquals("second", Files.readString(temp.resolve("a/b/x.npy")));
        assertEquals(List.of("a/b/x.npy"), Fixtures.files(temp));
        try (OutputStore store = OutputStore.open(temp.toUri().toString(), null, 1)) {
            assertInstanceOf(OutputStore.Local.class, store, "file: URIs are local");
            BacklightException outside = assertThrows(BacklightException.class,
                    () -> store.write("../escaped.npy", file -> write(file, "no")));
            assertEquals(true, outside.getMessage().contains("outside the output folder"), outside.getMessage());
        }
    }

    @Test
    void theHadoopStoreRenamesCompleteFilesIntoPlace() throws IOException {
        Path folder = temp.resolve("out");
        Configuration conf = new Configuration();
        // Hadoop's checksummed local file system, as a cluster's default file system would be used.
        String uri = folder.toUri().toString().replaceAll("/$", "");
        try (OutputStore store = new OutputStore.Hadoop(uri, conf, 42)) {
            assertEquals(uri + "/sub/y.npy", store.write("sub/y.npy", file -> write(file, "one")));
            store.write("sub/y.npy", file -> write(file, "two"));
            assertThrows(BacklightException.class, () -> store.write("sub/z.npy", file -> {
                throw new BacklightException("cannot write " + file + ": the disk is full");
            }));
        }
        assertArrayEquals("two".getBytes(StandardCharsets.UTF_8), Files.readAllBytes(folder.resolve("sub/y.npy")));
        // Only the file and Hadoop's checksum beside it; no temporary file, nothing for the failed write.
        List<String> files = Fixtures.files(folder).stream().filter(f -> !f.endsWith(".crc")).toList();
        assertEquals(List.of("sub/y.npy"), files);
    }

    private static void write(Path file, String text) {
        try {
            Files.writeString(file, text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
