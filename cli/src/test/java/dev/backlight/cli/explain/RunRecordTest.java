package dev.backlight.cli.explain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.backlight.api.BacklightException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link RunRecord}: written and read back as it was; compared setting by setting, a weights file
 * named two ways being the same weights when its hash is; a damaged record refused with a message
 * that says what to do.
 */
class RunRecordTest {
    @TempDir
    Path dir;

    private static RunRecord record(String... pairs) {
        Map<String, String> m = new LinkedHashMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            m.put(pairs[i], pairs[i + 1]);
        }
        return new RunRecord(m);
    }

    @Test
    void aWrittenRecordReadsBackTheSame() {
        RunRecord r = record("model", "densenet121", "weights", "w \"quoted\".safetensors", "method.samples", "20");
        r.write(dir, "1.2.3");

        assertEquals(Optional.of(r), RunRecord.read(dir));
        assertEquals(Optional.empty(), RunRecord.read(dir.resolve("elsewhere")));
    }

    @Test
    void differencesAreNamedSettingBySetting() {
        RunRecord then = record("model", "densenet121", "weights", "w.safetensors", "weightsSha256", "aa", "method",
                "smoothgrad", "method.samples", "20");

        assertEquals(List.of(), then.differencesFrom(then));
        assertEquals(List.of(), record("model", "densenet121", "weights", "./w.safetensors", "weightsSha256", "aa",
                "method", "smoothgrad", "method.samples", "20").differencesFrom(then), "the same file named otherwise");
        assertEquals(List.of("weights: w.safetensors then, v.safetensors now", "weightsSha256: aa then, bb now"),
                record("model", "densenet121", "weights", "v.safetensors", "weightsSha256", "bb", "method", "smoothgrad",
                        "method.samples", "20").differencesFrom(then));
        assertEquals(List.of("method.noise: unset then, 0.2 now", "method.samples: 20 then, unset now"),
                record("model", "densenet121", "weights", "w.safetensors", "weightsSha256", "aa", "method", "smoothgrad",
                        "method.noise", "0.2").differencesFrom(then));
        assertEquals(List.of(), record("model", "densenet121", "weights", "w.safetensors", "method", "smoothgrad",
                "method.samples", "20").differencesFrom(then), "a hash only one side knows is not compared");
    }

    @Test
    void aDamagedRecordIsRefusedSayingWhatToDo() throws IOException {
        Files.writeString(dir.resolve(RunRecord.NAME), "{\"model\": \"densenet1");

        BacklightException e = assertThrows(BacklightException.class, () -> RunRecord.read(dir));

        assertTrue(e.getMessage().contains(RunRecord.NAME) && e.getMessage().contains("not valid JSON")
                && e.getMessage().contains("delete it"), e.getMessage());
    }
}
