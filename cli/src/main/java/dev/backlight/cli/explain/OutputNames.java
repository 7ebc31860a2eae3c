package dev.backlight.cli.explain;

import dev.backlight.render.PictureKind;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The names of the files {@code explain} writes for one input, relative to {@code --out} and
 * derived from its stem and output folder. For {@code photo.jpg} and rank r of K: the pictures
 * {@code photo.<method>.<kind>.png} for each {@link PictureKind}, and with {@code --save-raw} the
 * raw map {@code photo.<method>.npy}, and with {@code --full-size} the pictures placed on the
 * whole photo, {@code photo.<method>.<kind>.full.png}; for {@code x.npy} the logits {@code x.logits.npy} and the raw
 * maps {@code x.<method>.npy}. With K > 1 every map name gets {@code .top<r>} after the method.
 * Every input also gets the report {@code <stem>.explain.json}.
 *
 * @param logits the logits file, or null for an image
 * @param ranks the map files of each rank, best first
 * @param report the JSON report
 */
record OutputNames(String logits, List<RankFiles> ranks, String report) {
    OutputNames {
        ranks = List.copyOf(ranks);
    }

    /**
     * The map files of one rank.
     *
     * @param raw the raw {@code .npy} map, or null if none is written
     * @param pictures the PNG pictures at crop resolution, by kind, in kind order
     * @param fullSize the PNG pictures placed on the whole source image, by kind ({@code
     *     --full-size}; empty otherwise)
     */
    record RankFiles(String raw, Map<PictureKind, String> pictures, Map<PictureKind, String> fullSize) {
        RankFiles {
            pictures = ordered(pictures);
            fullSize = ordered(fullSize);
        }

        private static Map<PictureKind, String> ordered(Map<PictureKind, String> names) {
            Map<PictureKind, String> ordered = new EnumMap<>(PictureKind.class);
            ordered.putAll(names);
            return Collections.unmodifiableMap(ordered);
        }

        /** Every file of the rank, raw map first. */
        List<String> all() {
            List<String> names = new ArrayList<>();
            if (raw != null) {
                names.add(raw);
            }
            names.addAll(pictures.values());
            names.addAll(fullSize.values());
            return names;
        }
    }

    /**
     * How a run names outputs: what {@link #of(InputSpec, String, int, Set, boolean, boolean)} needs
     * besides the input.
     *
     * @param method the method's id
     * @param ranks the maps per image
     * @param renders the pictures drawn of an image's maps
     * @param saveRaw whether an image's raw maps are written too
     * @param fullSize whether an image's pictures are also placed on the whole source
     */
    record Naming(String method, int ranks, Set<PictureKind> renders, boolean saveRaw, boolean fullSize) {
        Naming {
            renders = Set.copyOf(renders);
        }

        /** The names of {@code input}'s outputs. */
        OutputNames of(InputSpec input) {
            return OutputNames.of(input, method, ranks, renders, saveRaw, fullSize);
        }
    }

    /**
     * The names for one input.
     *
     * @param renders the pictures drawn of an image's maps
     * @param saveRaw whether an image's raw maps are written too (an array's always are)
     * @param fullSize whether an image's pictures (except {@code rgb}) are also placed on the whole source
     */
    static OutputNames of(InputSpec input, String method, int ranks, Set<PictureKind> renders, boolean saveRaw,
                          boolean fullSize) {
        String stem = folder(input.outputFolder()) + InputFile.stem(input.path());
        boolean image = input.kind() == InputFile.Kind.IMAGE;
        List<RankFiles> files = new ArrayList<>(ranks);
        for (int r = 1; r <= ranks; r++) {
            String map = stem + "." + method + (ranks == 1 ? "" : ".top" + r);
            Map<PictureKind, String> pictures = new EnumMap<>(PictureKind.class);
            Map<PictureKind, String> full = new EnumMap<>(PictureKind.class);
            if (image) {
                for (PictureKind kind : renders) {
                    pictures.put(kind, map + "." + kind.id() + ".png");
                    if (fullSize && kind != PictureKind.RGB) {
                        full.put(kind, map + "." + kind.id() + ".full.png");
                    }
                }
            }
            files.add(new RankFiles(!image || saveRaw ? map + ".npy" : null, pictures, full));
        }
        return new OutputNames(image ? null : stem + ".logits.npy", files, stem + ".explain.json");
    }

    /**
     * The folder's names joined by {@code /}, with a trailing one; empty for the empty path. Each name
     * is kept whole: on Unix a folder may be called {@code ..\..}, which must not become {@code
     * ../..} (the separator of the names is the file system's, not the backslash).
     */
    private static String folder(Path folder) {
        StringBuilder joined = new StringBuilder();
        for (Path name : folder) {
            if (!name.toString().isEmpty()) {
                joined.append(name).append('/');
            }
        }
        return joined.toString();
    }

    /**
     * The file {@code name} (relative, {@code /}-separated) in {@code outDir}, normalised, which must lie
     * below {@code outDir}: no output may escape the output folder, whatever the input was called.
     *
     * @throws IllegalArgumentException if {@code name} leads outside {@code outDir} or is the folder itself
     */
    static Path inside(Path outDir, String name) {
        Path root = outDir.toAbsolutePath().normalize();
        Path file = root.resolve(name).normalize();
        if (!file.startsWith(root) || file.equals(root)) {
            throw new IllegalArgumentException("the output name '" + name + "' leads outside the --out folder " + outDir
                    + "; rename the input it comes from");
        }
        return file;
    }

    /** Every file name, report last. */
    List<String> all() {
        List<String> names = new ArrayList<>();
        if (logits != null) {
            names.add(logits);
        }
        ranks.forEach(r -> names.addAll(r.all()));
        names.add(report);
        return names;
    }

    /**
     * The names for every input, checked: every output lies inside {@code outDir}, no two inputs
     * may write the same file (two inputs with the same stem in the same output folder) and no
     * output may replace an input.
     *
     * @throws IllegalArgumentException naming the clashing inputs, or the name that would escape {@code outDir}
     */
    static List<OutputNames> planAll(List<InputSpec> inputs, String method, int ranks, Set<PictureKind> renders,
                                     boolean saveRaw, boolean fullSize, Path outDir) {
        Map<String, Path> writer = new HashMap<>();
        Map<Path, Path> inputsByLocation = new HashMap<>();
        for (InputSpec input : inputs) {
            inputsByLocation.put(input.path().toAbsolutePath().normalize(), input.path());
        }
        List<OutputNames> plan = new ArrayList<>(inputs.size());
        for (InputSpec input : inputs) {
            OutputNames names = of(input, method, ranks, renders, saveRaw, fullSize);
            for (String name : names.all()) {
                inside(outDir, name);
                Path earlier = writer.putIfAbsent(name, input.path());
                if (earlier != null) {
                    throw new IllegalArgumentException("inputs " + earlier + " and " + input.path() + " would both write "
                            + name + " (outputs are named after the input's file name without extension); rename one"
                            + " or explain them in separate runs with different --out folders");
                }
                Path replaced = inputsByLocation.get(outDir.resolve(name).toAbsolutePath().normalize());
                if (replaced != null) {
                    throw new IllegalArgumentException("the output " + name + " for " + input.path()
                            + " would replace the input " + replaced + "; choose another --out folder");
                }
            }
            plan.add(names);
        }
        return plan;
    }
}
