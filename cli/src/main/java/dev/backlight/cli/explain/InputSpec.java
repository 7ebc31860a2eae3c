package dev.backlight.cli.explain;

import java.nio.file.Path;
import java.util.Objects;

/**
 * One input file of {@code explain}, found but not read yet.
 *
 * @param path the file
 * @param outputFolder where its outputs go, relative to {@code --out}: empty for a file named on
 *     the command line, the file's folder relative to the directory or glob base it was found under
 * @param kind image or array, by extension
 */
record InputSpec(Path path, Path outputFolder, InputFile.Kind kind) {
    InputSpec {
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(outputFolder, "outputFolder");
        Objects.requireNonNull(kind, "kind");
    }
}
