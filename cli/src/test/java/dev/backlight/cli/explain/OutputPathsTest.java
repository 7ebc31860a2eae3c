package dev.backlight.cli.explain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.backlight.api.Shape;
import dev.backlight.api.io.Npy;
import dev.backlight.cli.Cli;
import dev.backlight.cli.ExitCodes;
import dev.backlight.cli.TestData;
import dev.backlight.render.PictureKind;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Output files stay inside {@code --out} whatever the inputs are called: {@code ..} components,
 * absolute paths, globs through {@code ..}, symbolic links to files and folders elsewhere, and odd
 * names (a leading dash, a newline, a folder named {@code up\..\..\..\escaped}, which is one legal
 * name on Unix and, before this was fixed, became {@code up/../../../escaped} and wrote two levels
 * above {@code --out}). Every planned name is checked with {@link OutputNames#inside}, which every write
 * checks again.
 */
class OutputPathsTest {
    private static final String METHOD = "guided-backprop";

    @TempDir
    Path root;

    private Path array(String relative) {
        Path file = root.resolve(relative);
        try {
            Files.createDirectories(file.getParent());
        } catch (IOException e) {
            throw new AssertionError(e);
        }
        Npy.write(file, TestData.gaussian(Shape.of(1, 3, 32, 32), relative.hashCode()));
        return file;
    }

    /** The planned output names of the arguments, each checked to lie inside {@code out}. */
    private static List<String> planned(Path out, Path... arguments) {
        InputExpander.Expansion e = InputExpander.expand(List.of(arguments), out);
        assertEquals(List.of(), e.failures());
        List<OutputNames> names = OutputNames.planAll(e.inputs(), METHOD, 1, Set.of(PictureKind.GRAY), false, false, out);
        List<String> all = new ArrayList<>();
        for (OutputNames n : names) {
            for (String name : n.all()) {
                Path file = OutputNames.inside(out, name);
                assertTrue(file.startsWith(out.toAbsolutePath().normalize()), name + " -> " + file);
                all.add(name);
            }
        }
        return all;
    }

    private static List<String> reports(List<String> names) {
        return names.stream().filter(n -> n.endsWith(".explain.json")).toList();
    }

    @Test
    void aFolderNamedWithBackslashesStaysOneFolderBelowOut() {
        Path escaped = array("base/up\\..\\..\\..\\escaped/x.npy");
        Path out = root.resolve("a/b/out");

        List<String> names = planned(out, Path.of(root + "/base/**/*.npy"));

        assertEquals(List.of("up\\..\\..\\..\\escaped/x.explain.json"), reports(names));
        assertTrue(Files.isRegularFile(escaped));
    }

    @Test
    void dotDotAbsoluteAndGlobThroughDotDotInputsMapToTheirFileNames() {
        array("in/sub/y.npy");
        array("in/z.npy");
        Path out = root.resolve("out");

        assertEquals(List.of("y.explain.json"), reports(planned(out, root.resolve("in/sub/../sub/y.npy"))));
        assertEquals(List.of("z.explain.json"), reports(planned(out, root.resolve("in/sub/../z.npy"))));
        assertEquals(List.of("z.explain.json"), reports(planned(out, root.resolve("in/z.npy").toAbsolutePath())));
        assertEquals(List.of("sub/y.explain.json", "z.explain.json"),
                reports(planned(out, Path.of(root + "/in/sub/../**.npy"))));
    }

    @Test
    void symbolicLinksAreNamedAfterTheLinkAndLinkedFoldersAreNotFollowed() throws IOException {
        Path elsewhere = array("elsewhere/secret.npy");
        Path in = Files.createDirectories(root.resolve("in"));
        array("in/plain.npy");
        Files.createSymbolicLink(in.resolve("link.npy"), elsewhere);
        Files.createSymbolicLink(in.resolve("linked-folder"), elsewhere.getParent());
        Path out = root.resolve("out");

        assertEquals(List.of("link.explain.json", "plain.explain.json"), reports(planned(out, Path.of(in + "/**.npy"))));
        assertEquals(List.of("link.explain.json"), reports(planned(out, in.resolve("link.npy"))));
    }

    @Test
    void oddFileNamesStayFilesInsideOut() {
        List<Path> odd = new ArrayList<>();
        for (String name : new String[] {"-dash.npy", "--out.npy", "..npy", "...npy", " space .npy", "back\\slash.npy",
                "new\nline.npy"}) {
            try {
                odd.add(array("odd/" + name));
            } catch (InvalidPathException e) {
                assumeTrue(false, "this file system does not allow the name " + name);
            }
        }
        Path out = root.resolve("out");

        List<String> names = reports(planned(out, odd.toArray(Path[]::new)));

        assertEquals(List.of("-dash.explain.json", "--out.explain.json", "..explain.json", "...explain.json",
                " space .explain.json", "back\\slash.explain.json", "new\nline.explain.json"), names);
    }

    @Test
    void insideRefusesEveryNameThatLeavesOut() {
        Path out = root.resolve("out");
        for (String bad : new String[] {"../x.png", "a/../../x.png", "/etc/passwd", root.resolve("x.png").toString(), "",
                ".", "a/.."}) {
            assertThrows(IllegalArgumentException.class, () -> OutputNames.inside(out, bad), "'" + bad + "'");
        }
        for (String good : new String[] {"x.png", "a/b/x.png", "..x.png", "...", "a\\..\\..\\x.png", "-x.png", "a/./x.png"}) {
            assertTrue(OutputNames.inside(out, good).startsWith(out.toAbsolutePath()), good);
        }
    }

    /**
     * The whole command over such inputs: it succeeds, writes every output inside {@code --out} and
     * nothing anywhere else.
     */
    @Test
    void explainWritesNothingOutsideOut() throws IOException {
        array("base/up\\..\\..\\..\\escaped/x.npy");
        array("base/up/y.npy"); // explained first: out/up exists when x's outputs are written
        array("base/-dash.npy");
        Path secret = array("elsewhere/secret.npy");
        Files.createSymbolicLink(root.resolve("base/link.npy"), secret);
        Path explicit = array("named/-lead.npy");
        Path out = root.resolve("a/b/out");
        List<Path> before = regularFiles(root);

        Cli.Result r = Cli.run("explain", "--model", "densenet121", "--weights", "random", "--out", out.toString(),
                root + "/base/**.npy", root.resolve("named/../named/-lead.npy").toString());

        assertEquals(ExitCodes.OK, r.exitCode(), r::toString);
        List<Path> written = new ArrayList<>(regularFiles(root));
        written.removeAll(before);
        for (Path file : written) {
            assertTrue(file.startsWith(out), "written outside --out: " + file);
        }
        List<String> relative = written.stream().map(f -> out.relativize(f).toString()).sorted().toList();
        assertEquals(List.of("-dash.explain.json", "-dash.guided-backprop.npy", "-dash.logits.npy",
                "-lead.explain.json", "-lead.guided-backprop.npy", "-lead.logits.npy", ".backlight-run.json",
                "link.explain.json", "link.guided-backprop.npy", "link.logits.npy",
                "up/y.explain.json", "up/y.guided-backprop.npy", "up/y.logits.npy",
                "up\\..\\..\\..\\escaped/x.explain.json", "up\\..\\..\\..\\escaped/x.guided-backprop.npy",
                "up\\..\\..\\..\\escaped/x.logits.npy"), relative);
        assertTrue(Files.isRegularFile(explicit));
    }

    private static List<Path> regularFiles(Path dir) throws IOException {
        try (Stream<Path> all = Files.walk(dir)) {
            return all.filter(Files::isRegularFile).toList();
        }
    }
}
