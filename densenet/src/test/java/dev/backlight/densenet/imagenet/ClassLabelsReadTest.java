package dev.backlight.densenet.imagenet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ClassLabelsReadTest {
    @TempDir
    Path dir;

    private Path write(String name, String content) throws IOException {
        return Files.writeString(dir.resolve(name), content, StandardCharsets.UTF_8);
    }

    private static List<String> names(ClassLabels labels) {
        return IntStream.range(0, labels.size()).mapToObj(labels::name).toList();
    }

    @Test
    void readsOneLabelALine() throws IOException {
        assertEquals(List.of("cat", "dog", "grüner Vogel"), names(ClassLabels.read(write("a.txt", "cat\ndog\ngrüner Vogel\n"))));
        assertEquals(List.of("cat", "dog"), names(ClassLabels.read(write("b.txt", "\uFEFFcat\r\ndog"))));
        assertEquals(List.of("cat", "dog"), names(ClassLabels.read(write("c.txt", "  cat \n\tdog\n"))));
    }

    @Test
    void readsAJsonListAndAJsonIndexMap() throws IOException {
        assertEquals(List.of("cat", "dog"), names(ClassLabels.read(write("l.json", " [\"cat\", \"dog\"]\n"))));
        assertEquals(List.of("cat", "dog", "owl"),
                names(ClassLabels.read(write("m.json", "{\"2\": \"owl\", \"0\": \"cat\", \"1\": \"dog\"}"))));
        // Keras' imagenet_class_index.json
        assertEquals(List.of("tench", "goldfish"), names(ClassLabels.read(write("k.json",
                "{\"0\": [\"n01440764\", \"tench\"], \"1\": [\"n01443537\", \"goldfish\"]}"))));
    }

    @Test
    void readsTorchvisionsOwnFileAsTheBundledLabels() throws IOException {
        Path file = dir.resolve("imagenet_classes.txt");
        try (var in = ImageNetLabels.class.getResourceAsStream("imagenet_classes.txt")) {
            Files.copy(in, file);
        }
        ClassLabels read = ClassLabels.read(file);
        assertEquals(names(ClassLabels.imagenet()), names(read));
        assertSame(read, ClassLabels.requireClassCount(read, 1000));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "empty.txt|''|names no classes",
        "blank.txt|'cat\n\ndog\n'|empty label at line 2",
        "control.txt|'cat\nd\u001b[31mog\n'|control character (U+001B) in the label at line 2",
        "notjson.json|'[\"cat\", '|not valid JSON",
        "number.json|'[\"cat\", 3]'|at position 1",
        "gap.json|'{\"0\": \"cat\", \"2\": \"owl\"}'|but not 1",
        "twice.json|'{\"0\": \"cat\", \"0\": \"dog\"}'|index 0 twice",
        "key.json|'{\"zero\": \"cat\"}'|where a class index",
        "negative.json|'{\"-1\": \"cat\"}'|where a class index",
        "trailing.json|'[\"cat\"] [\"dog\"]'|more after its JSON list",
        "nested.json|'{\"0\": {\"name\": \"cat\"}}'|where a label"})
    void refusesBadFilesNamingTheProblem(String name, String content, String expected) throws IOException {
        Path file = write(name, content);
        LabelsFormatException e = assertThrows(LabelsFormatException.class, () -> ClassLabels.read(file));
        assertTrue(e.getMessage().contains(file.toString()) && e.getMessage().contains(expected), e.getMessage());
    }

    @Test
    void refusesUnreadableAndNonUtf8Files() throws IOException {
        assertTrue(assertThrows(LabelsFormatException.class, () -> ClassLabels.read(dir.resolve("missing.txt")))
                .getMessage().contains("cannot read"));
        Path latin1 = Files.write(dir.resolve("latin1.txt"), new byte[] {'c', 'a', 't', '\n', (byte) 0xe9, '\n'});
        assertTrue(assertThrows(LabelsFormatException.class, () -> ClassLabels.read(latin1)).getMessage()
                .contains("not UTF-8"));
        Path longLabel = write("long.txt", "x".repeat(LabelsFile.MAX_LABEL_CHARS + 1));
        assertTrue(assertThrows(LabelsFormatException.class, () -> ClassLabels.read(longLabel)).getMessage()
                .contains("characters"));
    }

    @Test
    void theCountIsCheckedAgainstTheModel() throws IOException {
        ClassLabels three = ClassLabels.read(write("three.txt", "a\nb\nc\n"));
        assertSame(three, ClassLabels.requireClassCount(three, 3));
        LabelsFormatException e = assertThrows(LabelsFormatException.class, () -> ClassLabels.requireClassCount(three, 5));
        assertTrue(e.getMessage().contains("names 3 classes but the model's classifier has 5 outputs"), e.getMessage());
        assertThrows(LabelsFormatException.class, () -> ClassLabels.requireClassCount(ClassLabels.imagenet(), 5));
        assertThrows(IllegalArgumentException.class, () -> three.name(3));
    }
}
