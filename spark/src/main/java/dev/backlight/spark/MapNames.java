package dev.backlight.spark;

import dev.backlight.api.InputFormatException;
import dev.backlight.render.PictureKind;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The names of the files written for one input, relative to the output folder, derived from the
 * input's path alone so that every run, task retry and speculative copy names them the same:
 *
 * <ul>
 *   <li>the path's folders are kept (below the input root when one is set, else from the file
 *       system's root; the scheme and host are dropped), so that outputs mirror the data set's
 *       layout and no folder holds more files than the input folder did;
 *   <li>the input's whole file name is kept, extension included, so that {@code photo.jpg} and
 *       {@code photo.png} in one folder never write the same file;
 *   <li>then the method, {@code .top<r>} when several classes are explained, and the kind:
 *       {@code photo.jpg.guided-backprop.npy}, {@code photo.jpg.guided-backprop.heatmap.png}.
 * </ul>
 *
 * <p>Paths are hostile input: a name that is empty, {@code .} or {@code ..}, or too long for a file
 * system (255 bytes), is refused with an {@link InputFormatException}, which the transformer turns
 * into an error row.
 */
final class MapNames {
    /** The longest file name most file systems accept, in bytes. */
    static final int MAX_NAME_BYTES = 255;

    private MapNames() {
    }

    /**
     * The input's folders and file name below {@code root}, joined by {@code /}: the base every
     * output name of the input starts with.
     *
     * @param path the input's path or URI, as Spark's {@code binaryFile} source gives it
     * @param root the input root (a path or URI; its scheme and host are ignored), or null or empty for none
     * @throws InputFormatException if the path is missing, not below the root, or has an unusable name
     */
    static String base(String path, String root) {
        if (path == null || path.isBlank()) {
            throw new InputFormatException("the row has no path, so its outputs cannot be named; give a path column"
                    + " (setPathCol) or return maps as arrays instead (setReturnMap)");
        }
        List<String> names = segments(path);
        if (root != null && !root.isBlank()) {
            List<String> prefix = segments(root);
            if (names.size() <= prefix.size() || !names.subList(0, prefix.size()).equals(prefix)) {
                throw new InputFormatException(path + " is not below the input root " + root
                        + "; set the input root (setInputRoot) to a folder holding every input, or leave it unset");
            }
            names = names.subList(prefix.size(), names.size());
        }
        if (names.isEmpty()) {
            throw new InputFormatException(path + " names no file");
        }
        for (String name : names) {
            if (name.equals("..") || name.indexOf('\0') >= 0) {
                throw new InputFormatException(path + " has a name (" + name + ") that cannot be an output name");
            }
        }
        return String.join("/", names);
    }

    /** The raw map of rank {@code rank} (0-based) of {@code ranks}: {@code <base>.<method>[.top<r>].npy}. */
    static String npy(String base, String method, int rank, int ranks) {
        return checked(stem(base, method, rank, ranks) + ".npy");
    }

    /** A picture of the map of rank {@code rank}: {@code <base>.<method>[.top<r>].<kind>.png}. */
    static String picture(String base, String method, int rank, int ranks, PictureKind kind) {
        return checked(stem(base, method, rank, ranks) + "." + kind.id() + ".png");
    }

    private static String stem(String base, String method, int rank, int ranks) {
        return base + "." + method + (ranks == 1 ? "" : ".top" + (rank + 1));
    }

    private static String checked(String relative) {
        String file = relative.substring(relative.lastIndexOf('/') + 1);
        int bytes = file.getBytes(StandardCharsets.UTF_8).length;
        if (bytes > MAX_NAME_BYTES) {
            throw new InputFormatException("the output name " + file + " would be " + bytes + " bytes long, more than the "
                    + MAX_NAME_BYTES + " file systems accept; rename the input");
        }
        return relative;
    }

    /** The path's names, without scheme, host, empty names and {@code .}. */
    private static List<String> segments(String path) {
        String p = path.trim();
        String scheme = ExecutorWeights.scheme(p);
        if (scheme != null) {
            p = p.substring(scheme.length() + 1);
            if (p.startsWith("//")) {
                int slash = p.indexOf('/', 2);
                p = slash < 0 ? "" : p.substring(slash);
            }
        }
        List<String> names = new ArrayList<>();
        for (String name : p.split("/")) {
            if (!name.isEmpty() && !name.equals(".")) {
                names.add(name);
            }
        }
        return names;
    }
}
