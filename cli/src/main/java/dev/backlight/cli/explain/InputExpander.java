package dev.backlight.cli.explain;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileSystems;
import java.nio.file.FileVisitOption;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.List;

/**
 * Turns the {@code INPUT} arguments of {@code explain} into input files: a file is itself; a
 * directory is every image under it (recursively, by extension; hidden files and folders
 * skipped); an argument with glob characters ({@code * ? [ {}) that is not an existing file is
 * matched against the files under its longest literal folder (for shells that pass patterns
 * through; {@code **} crosses folders). Files found under a directory or glob base keep their
 * sub-folder below {@code --out}. Found files are sorted by path for a stable order. The {@code
 * --out} folder is never searched: when it lies inside an input folder, its outputs are not
 * inputs of the next run.
 *
 * <p>Problems that concern one argument (a file of unknown kind, a glob or directory with no
 * image) become {@link InputFailure}s, not exceptions.
 */
final class InputExpander {
    private static final String GLOB_CHARACTERS = "*?[{";

    /**
     * What the arguments name.
     *
     * @param inputs the input files, in argument order
     * @param failures the arguments that name nothing usable
     */
    record Expansion(List<InputSpec> inputs, List<InputFailure> failures) {
        Expansion {
            inputs = List.copyOf(inputs);
            failures = List.copyOf(failures);
        }
    }

    private InputExpander() {
    }

    /**
     * Expands every argument, in order.
     *
     * @param out the output folder, left out of every search
     */
    static Expansion expand(List<Path> arguments, Path out) {
        Path skipped = out.toAbsolutePath().normalize();
        List<InputSpec> inputs = new ArrayList<>();
        List<InputFailure> failures = new ArrayList<>();
        for (Path argument : arguments) {
            if (Files.isDirectory(argument)) {
                List<Path> images = walk(argument, Integer.MAX_VALUE, path -> isImage(path), skipped);
                if (images.isEmpty()) {
                    failures.add(new InputFailure(argument, "the directory " + argument + " holds no image ("
                            + String.join(", ", InputFile.Kind.IMAGE_EXTENSIONS.stream().sorted().toList()) + ")", null));
                }
                images.forEach(image -> inputs.add(found(image, argument)));
            } else if (!Files.exists(argument) && isGlob(argument.toString())) {
                expandGlob(argument.toString(), inputs, failures, skipped);
            } else {
                InputFile.Kind kind = InputFile.Kind.ofOrNull(argument);
                if (kind == null) {
                    failures.add(new InputFailure(argument, InputFile.Kind.unknownKindMessage(argument), null));
                } else {
                    inputs.add(new InputSpec(argument, Path.of(""), kind));
                }
            }
        }
        return new Expansion(inputs, failures);
    }

    private static void expandGlob(String pattern, List<InputSpec> inputs, List<InputFailure> failures, Path skipped) {
        Path literal = literalPrefix(pattern);
        String rest = literal.toString().isEmpty() ? pattern : pattern.substring(literal.toString().length());
        rest = rest.replaceFirst("^[/\\\\]+", "");
        Path base = literal.toString().isEmpty() ? Path.of("") : literal;
        int depth = rest.contains("**") ? Integer.MAX_VALUE : rest.split("[/\\\\]").length;
        PathMatcher matcher = FileSystems.getDefault().getPathMatcher("glob:" + rest);
        Path walkFrom = base.toString().isEmpty() ? Path.of(".") : base;
        List<Path> matches = Files.isDirectory(walkFrom)
                ? walk(walkFrom, depth, path -> matcher.matches(walkFrom.relativize(path)) && InputFile.Kind.ofOrNull(path) != null,
                        skipped)
                : List.of();
        if (matches.isEmpty()) {
            failures.add(new InputFailure(Path.of(pattern), "no image or .npy file matches " + pattern, null));
        }
        for (Path match : matches) {
            Path file = base.toString().isEmpty() ? walkFrom.relativize(match) : match;
            inputs.add(found(file, base));
        }
    }

    /** The leading folders of {@code pattern} that hold no glob character. */
    private static Path literalPrefix(String pattern) {
        Path path = Path.of(pattern.replaceAll("[*?\\[{].*$", "x"));
        Path parent = path.getParent();
        return parent == null ? Path.of("") : parent;
    }

    private static boolean isGlob(String argument) {
        return argument.chars().anyMatch(c -> GLOB_CHARACTERS.indexOf(c) >= 0);
    }

    private static boolean isImage(Path path) {
        return InputFile.Kind.ofOrNull(path) == InputFile.Kind.IMAGE;
    }

    private static InputSpec found(Path file, Path root) {
        Path folder = root.toString().isEmpty() ? file.getParent() : root.relativize(file).getParent();
        return new InputSpec(file, folder == null ? Path.of("") : folder, InputFile.Kind.ofOrNull(file));
    }

    /**
     * The regular files below {@code root} (symbolic links to files included, linked folders not
     * entered) that {@code keep} accepts, sorted; hidden files and folders and the folder {@code
     * skipped} (absolute, normalised) are left out, the folders without being entered.
     */
    private static List<Path> walk(Path root, int depth, java.util.function.Predicate<Path> keep, Path skipped) {
        List<Path> found = new ArrayList<>();
        try {
            Files.walkFileTree(root, EnumSet.noneOf(FileVisitOption.class), depth, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
                    boolean out = dir.toAbsolutePath().normalize().equals(skipped);
                    return out || (!dir.equals(root) && hidden(root, dir)) ? FileVisitResult.SKIP_SUBTREE
                            : FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
                    if (!hidden(root, file) && Files.isRegularFile(file) && keep.test(file)) {
                        found.add(file);
                    }
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + root + ": " + e.getMessage(), e);
        }
        found.sort(Comparator.comparing(Path::toString));
        return found;
    }

    /** Whether a name below {@code root} on the way to {@code path} starts with a dot. */
    private static boolean hidden(Path root, Path path) {
        for (Path part : root.relativize(path)) {
            if (part.toString().startsWith(".")) {
                return true;
            }
        }
        return false;
    }
}
