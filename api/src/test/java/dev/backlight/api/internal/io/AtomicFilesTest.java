package dev.backlight.api.internal.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link AtomicFiles}: a write leaves the complete file and nothing else; a failed one leaves the
 * target as it was and no temporary file; {@link AtomicFiles#abandonWrites()} (what a shutdown hook
 * calls when the process is stopped) deletes the temporary file of a write in progress, which
 * then fails without touching its target, and refuses later writes before they create anything.
 */
class AtomicFilesTest {
    @TempDir
    Path dir;

    @AfterEach
    void allowWrites() {
        AtomicFiles.allowWritesAgain();
    }

    @Test
    void writesTheWholeFileAndLeavesNothingElse() throws IOException {
        Path target = dir.resolve("a.txt");
        AtomicFiles.write(target, text("first"));
        AtomicFiles.write(target, text("second"));

        assertEquals("second", Files.readString(target));
        assertEquals(List.of("a.txt"), names());
    }

    @Test
    void aFailedWriteLeavesTheOldContentAndNoTemporaryFile() throws IOException {
        Path target = dir.resolve("a.txt");
        AtomicFiles.write(target, text("old"));

        IOException e = assertThrows(IOException.class, () -> AtomicFiles.write(target, channel -> {
            channel.write(ByteBuffer.wrap("half".getBytes(StandardCharsets.UTF_8)));
            throw new IOException("disk full");
        }));

        assertEquals("disk full", e.getMessage());
        assertEquals("old", Files.readString(target));
        assertEquals(List.of("a.txt"), names());
    }

    @Test
    void abandoningDeletesTheTemporaryFileOfAWriteInProgressAndRefusesLaterWrites() throws Exception {
        Path target = dir.resolve("map.npy");
        CountDownLatch halfWritten = new CountDownLatch(1);
        CountDownLatch abandoned = new CountDownLatch(1);
        CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
            try {
                AtomicFiles.write(target, channel -> {
                    channel.write(ByteBuffer.wrap(new byte[1000]));
                    halfWritten.countDown();
                    await(abandoned);
                    channel.write(ByteBuffer.wrap(new byte[1000]));
                });
            } catch (IOException e) {
                throw new RuntimeException(e);
            }
        });
        assertTrue(halfWritten.await(10, TimeUnit.SECONDS));
        List<String> during = names();
        assertEquals(1, during.size(), "one temporary file while writing: " + during);
        assertTrue(AtomicFiles.isTemporary(during.get(0)), during.toString());

        List<Path> deleted = AtomicFiles.abandonWrites();
        abandoned.countDown();

        assertEquals(List.of(dir.resolve(during.get(0)).toAbsolutePath()), deleted);
        ExecutionException failed = assertThrows(ExecutionException.class, () -> writer.get(10, TimeUnit.SECONDS));
        assertTrue(failed.getCause().getCause() instanceof IOException, failed.toString());
        assertEquals(List.of(), names(), "no target, no temporary file");

        IOException refused = assertThrows(IOException.class, () -> AtomicFiles.write(dir.resolve("later.npy"), text("x")));
        assertTrue(refused.getMessage().contains("stopping"), refused.getMessage());
        assertEquals(List.of(), names());
        assertFalse(Files.exists(target));
        assertEquals(List.of(), AtomicFiles.abandonWrites(), "idempotent");
    }

    /**
     * A target whose name is at the file system's limit (255 bytes on ext4, XFS, btrfs, tmpfs) is
     * written: the temporary name does not grow with the target's. It used to be {@code
     * .<name>.<16 hex>.tmp}, 22 bytes longer, and such a write failed with "File name too long".
     */
    @Test
    void aTargetNamedAtTheLengthLimitIsWritten() throws IOException {
        Path target = dir.resolve("m".repeat(251) + ".png");
        AtomicFiles.write(target, text("long"));

        assertEquals("long", Files.readString(target));
        assertEquals(List.of(target.getFileName().toString()), names());
    }

    @Test
    void temporaryFileNamesAreRecognised() {
        assertTrue(AtomicFiles.isTemporary(".backlight-1f3a9c07d2e4b5a6.tmp"));
        assertTrue(AtomicFiles.isTemporary(".backlight-0000000000000000.tmp"));
        for (String other : new String[] {"photo.png", ".photo.png.1f3a9c07d2e4b5a6.tmp", ".backlight-1f3a9c07d2e4b5a.tmp",
                ".backlight-1f3a9c07d2e4b5a6f.tmp", ".backlight-1F3A9C07D2E4B5A6.tmp", "backlight-1f3a9c07d2e4b5a6.tmp",
                ".backlight-probe-123.tmp", ".backlight.lock", ".backlight-1f3a9c07d2e4b5a6.tmp.png"}) {
            assertFalse(AtomicFiles.isTemporary(other), other);
        }
    }

    private static AtomicFiles.Content text(String s) {
        return channel -> channel.write(ByteBuffer.wrap(s.getBytes(StandardCharsets.UTF_8)));
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private List<String> names() throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }
}
