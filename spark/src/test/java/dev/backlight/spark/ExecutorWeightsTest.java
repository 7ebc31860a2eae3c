package dev.backlight.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** How an executor finds the weights it is told to use, and when it considers them changed. */
class ExecutorWeightsTest {
    @TempDir
    Path temp;

    @Test
    void randomWeightsNeedNoFile() {
        assertEquals(new ExecutorWeights.Resolved("random:0", null, 0), ExecutorWeights.resolve("random", null));
        assertEquals(new ExecutorWeights.Resolved("random:42", null, 42), ExecutorWeights.resolve(" random:42 ", null));
        assertEquals(-7, ExecutorWeights.resolve("random:-7", null).seed());
        assertFalse(ExecutorWeights.isRandom("random:x"));
    }

    @Test
    void aLocalFileIsKnownByPathSizeAndTime() throws IOException {
        Path file = Files.writeString(temp.resolve("w.safetensors"), "first version");
        ExecutorWeights.Resolved first = ExecutorWeights.resolve(file.toString(), null);
        assertEquals(file, first.file());
        assertEquals(first, ExecutorWeights.resolve(file.toUri().toString(), null), "a file: URI is the same file");
        assertEquals(first.identity(), ExecutorWeights.resolve(file.toString(), null).identity());

        Files.writeString(file, "second, longer version");
        Files.setLastModifiedTime(file, FileTime.fromMillis(Files.getLastModifiedTime(file).toMillis() + 5_000));
        assertNotEquals(first.identity(), ExecutorWeights.resolve(file.toString(), null).identity(),
                "a replaced file is a new model key");
    }

    @Test
    void aMissingFileSaysHowToShipIt() {
        ExecutorWeightsException e = assertThrows(ExecutorWeightsException.class,
                () -> ExecutorWeights.resolve(temp.resolve("absent.safetensors").toString(), null));
        assertTrue(e.getMessage().contains("--files"), e.getMessage());
        assertThrows(ExecutorWeightsException.class, () -> ExecutorWeights.resolve(temp.toString(), null), "a folder");
    }

    @Test
    void otherFileSystemsAreCopiedOnceIntoALocalCache() throws IOException {
        Path remote = Files.writeString(temp.resolve("remote.safetensors"), "weights on a shared file system");
        String uri = remote.toUri().toString();
        Configuration conf = new Configuration();

        ExecutorWeights.Resolved first = ExecutorWeights.fetched(uri, conf);
        assertNotEquals(remote, first.file());
        assertEquals(Files.readString(remote), Files.readString(first.file()));
        FileTime copied = Files.getLastModifiedTime(first.file());
        ExecutorWeights.Resolved again = ExecutorWeights.fetched(uri, conf);
        assertEquals(first, again);
        assertEquals(copied, Files.getLastModifiedTime(again.file()), "not copied a second time");

        Files.writeString(remote, "new weights, another length");
        ExecutorWeights.Resolved changed = ExecutorWeights.fetched(uri, conf);
        assertNotEquals(first.identity(), changed.identity());
        assertEquals("new weights, another length", Files.readString(changed.file()));
        ExecutorWeightsException missing = assertThrows(ExecutorWeightsException.class,
                () -> ExecutorWeights.fetched(temp.resolve("none").toUri().toString(), conf));
        assertTrue(missing.getMessage().contains("cannot be read"), missing.getMessage());
    }

    @Test
    void onlyUrisOfOtherFileSystemsNeedHadoop() {
        assertTrue(ExecutorWeights.needsHadoop("hdfs://nn:8020/models/w.safetensors"));
        assertTrue(ExecutorWeights.needsHadoop("s3a://bucket/w.pth"));
        assertFalse(ExecutorWeights.needsHadoop("/models/w.safetensors"));
        assertFalse(ExecutorWeights.needsHadoop("w.safetensors"));
        assertFalse(ExecutorWeights.needsHadoop("file:/models/w.safetensors"));
        assertFalse(ExecutorWeights.needsHadoop("random:3"));
        assertFalse(ExecutorWeights.needsHadoop("C:/models/w.safetensors"), "a drive letter is not a scheme");
        assertNull(ExecutorWeights.scheme("relative/path"));
    }
}
