package dev.backlight.densenet.weights;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.backlight.api.WeightsFormatException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Checkpoints that run code when Python's pickle loads them are refused with a typed error naming
 * what they would have run, and nothing runs: each command would create a marker file, which must
 * never appear, and the folder the file lies in holds nothing new afterwards.
 *
 * <p>The files {@code hostile_*.pth} are what torch.save itself writes for a whole nn.Module, an
 * object whose {@code __reduce__} returns {@code os.system} (pickled as {@code posix.system}) and
 * one returning {@code eval} (pickled as {@code __builtin__.eval}: protocol 2 writes Python 2 names). The others are built here with the marker's path in their command.
 */
class HostileCheckpointsTest {
    @TempDir
    Path dir;

    private Path marker;
    private List<Path> before;

    @BeforeEach
    void placeMarker() throws IOException {
        marker = dir.resolve("pwned-marker");
        before = listing();
    }

    @AfterEach
    void nothingRanAndNothingWasWritten() throws IOException {
        assertFalse(Files.exists(marker), "the pickle's command ran: " + marker + " exists");
        List<Path> after = listing();
        after.removeAll(before);
        // Only the checkpoints the test itself wrote may be new.
        assertTrue(after.stream().allMatch(p -> p.getFileName().toString().startsWith("checkpoint-")), after.toString());
    }

    private List<Path> listing() throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            return files.collect(Collectors.toList());
        }
    }

    @ParameterizedTest
    @CsvSource({
        "hostile_system.pth, global posix.system",
        "hostile_eval_legacy.pth, global __builtin__.eval",
        "hostile_module.pth, global torchvision.models.densenet.DenseNet"})
    void refusesWhatTorchSaveWritesForCodeAndModels(String fixture, String construct) {
        Path file = Fixtures.copy(fixture, dir, "checkpoint-" + fixture);
        UnsafePickleException e = assertThrows(UnsafePickleException.class, () -> WeightsFiles.read(file));
        assertEquals(construct, e.construct());
        assertTrue(e.getMessage().startsWith(file.toString()), e.getMessage());
        assertTrue(e.getMessage().contains("torch.save(model.state_dict(), 'weights.pth')"), e.getMessage());
        if (fixture.contains("module")) {
            assertTrue(e.getMessage().contains("whole pickled object"), e.getMessage());
        }
    }

    /** {@code callable(command)} as the only value of a dict entry beside a real tensor. */
    private byte[] calling(String module, String name, String command) {
        return PickleBytes.protocol2().orderedDict(() -> { }).op('(')
                .string("classifier.weight")
                .raw(new PickleBytes().tensor("FloatStorage", "0", 2, 0, new int[] {1, 2}, new int[] {2, 1}).bytes())
                .string("x").global(module, name).string(command).raw(0x85).op('R')
                .op('u').stop().bytes();
    }

    @ParameterizedTest
    @CsvSource({"posix, system", "os, system", "builtins, eval", "builtins, exec", "subprocess, call",
        "nt, system", "pty, spawn"})
    void refusesCallsInZipAndLegacyCheckpoints(String module, String name) throws IOException {
        String command = "touch " + marker;
        String python = module.equals("builtins") ? "__import__('os').system('" + command + "')" : command;
        byte[] pickle = calling(module, name, python);
        Map<String, byte[]> data = PickleBytes.storage("0", PickleBytes.floats(1f, 2f));
        Path zip = PickleBytes.zipCheckpoint(dir.resolve("checkpoint-zip.pth"), pickle, data);
        Path legacy = Files.write(dir.resolve("checkpoint-legacy.pth"), PickleBytes.legacyCheckpoint(pickle, data, 4));

        for (Path file : List.of(zip, legacy)) {
            UnsafePickleException e = assertThrows(UnsafePickleException.class, () -> WeightsFiles.read(file));
            assertEquals("global " + module + "." + name, e.construct());
        }
    }

    @Test
    void refusesAPersistentIdThatIsNotAStorage() throws IOException {
        byte[] pickle = PickleBytes.protocol2().op('}').string("classifier.weight")
                .op('(').string("module").string("os").string("system").op('t').op('Q').op('s').stop().bytes();
        Path zip = PickleBytes.zipCheckpoint(dir.resolve("checkpoint-pid.pth"), pickle, Map.of());
        UnsafePickleException e = assertThrows(UnsafePickleException.class, () -> WeightsFiles.read(zip));
        assertEquals("persistent id", e.construct());
    }

    @Test
    void readsTheSameFileWithoutTheHostileEntry() throws IOException {
        // The control for the tests above: the container and tensor they use are readable.
        byte[] pickle = PickleBytes.protocol2().orderedDict(() -> { }).op('(').string("classifier.weight")
                .raw(new PickleBytes().tensor("FloatStorage", "0", 2, 0, new int[] {1, 2}, new int[] {2, 1}).bytes())
                .op('u').stop().bytes();
        Map<String, byte[]> data = PickleBytes.storage("0", PickleBytes.floats(1f, 2f));
        Path zip = PickleBytes.zipCheckpoint(dir.resolve("checkpoint-ok.pth"), pickle, data);
        Path legacy = Files.write(dir.resolve("checkpoint-ok-legacy.pth"), PickleBytes.legacyCheckpoint(pickle, data, 4));
        for (Path file : List.of(zip, legacy)) {
            LoadedWeights w = WeightsFiles.read(file);
            assertEquals(1, w.numClasses());
            assertEquals(List.of(1f, 2f), List.of(w.weights().asMap().get("classifier.weight").data()[0],
                    w.weights().asMap().get("classifier.weight").data()[1]));
        }
    }

    @Test
    void anUnknownGlobalIsRefusedEvenWhereTheStateDictWouldNotUseIt() throws IOException {
        // A training checkpoint whose extra entry pickles argparse.Namespace: refused, though the
        // state dict beside it is fine; the message says how to save the state dict alone.
        byte[] pickle = PickleBytes.protocol2().op('}').op('(').string("args").global("argparse", "Namespace")
                .op(')').raw(0x81).string("state_dict").op('}').op('u').stop().bytes();
        Path zip = PickleBytes.zipCheckpoint(dir.resolve("checkpoint-args.pth"), pickle, Map.of());
        WeightsFormatException e = assertThrows(UnsafePickleException.class, () -> WeightsFiles.read(zip));
        assertTrue(e.getMessage().contains("argparse.Namespace") && e.getMessage().contains("checkpoint['state_dict']"),
                e.getMessage());
    }
}
