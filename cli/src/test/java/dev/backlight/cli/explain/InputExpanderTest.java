package dev.backlight.cli.explain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Files, folders (recursive, by extension, hidden ones skipped) and globs as {@code explain} inputs. */
class InputExpanderTest {
    @TempDir
    Path dir;

    private Path touch(String relative) throws IOException {
        Path file = dir.resolve(relative);
        Files.createDirectories(file.getParent());
        return Files.writeString(file, "x");
    }

    @Test
    void aFolderGivesItsImagesSortedWithTheirSubFolders() throws IOException {
        touch("a/z.jpg");
        touch("a/b/y.PNG");
        touch("a/b/c/x.webp");
        touch("a/notes.txt");
        touch("a/data.npy");
        touch("a/.cache/hidden.jpg");
        touch("a/b/.hidden.jpg");

        InputExpander.Expansion e = InputExpander.expand(List.of(dir.resolve("a")), dir.resolve("out"));

        assertEquals(List.of(), e.failures());
        assertEquals(List.of("b/c/x.webp", "b/y.PNG", "z.jpg"),
                e.inputs().stream().map(s -> dir.resolve("a").relativize(s.path()).toString()).toList());
        assertEquals(List.of("b/c", "b", ""), e.inputs().stream().map(s -> s.outputFolder().toString()).toList());
    }

    @Test
    void aGlobMatchesBelowItsLiteralFolder() throws IOException {
        touch("p/one.jpg");
        touch("p/two.png");
        touch("p/deep/three.jpg");

        InputExpander.Expansion flat = InputExpander.expand(List.of(Path.of(dir + "/p/*.jpg")), dir.resolve("out"));
        InputExpander.Expansion deep = InputExpander.expand(List.of(Path.of(dir + "/p/**.jpg")), dir.resolve("out"));

        assertEquals(List.of(dir.resolve("p/one.jpg")), flat.inputs().stream().map(InputSpec::path).toList());
        assertEquals(List.of(dir.resolve("p/deep/three.jpg"), dir.resolve("p/one.jpg")),
                deep.inputs().stream().map(InputSpec::path).toList());
        assertEquals(Path.of("deep"), deep.inputs().get(0).outputFolder());
    }

    @Test
    void namedFilesAreKeptAsGivenAndUnknownKindsFail() throws IOException {
        Path photo = touch("photo.jpeg");
        Path text = touch("readme.txt");
        Path empty = Files.createDirectories(dir.resolve("empty"));

        InputExpander.Expansion e = InputExpander.expand(List.of(photo, text, empty, dir.resolve("missing.png")), dir.resolve("out"));

        assertEquals(List.of(photo, dir.resolve("missing.png")), e.inputs().stream().map(InputSpec::path).toList());
        assertEquals(Path.of(""), e.inputs().get(0).outputFolder());
        assertEquals(2, e.failures().size());
        assertTrue(e.failures().get(0).message().contains(text.toString()), e.failures().get(0).message());
        assertTrue(e.failures().get(1).message().contains("holds no image"), e.failures().get(1).message());
    }
}
