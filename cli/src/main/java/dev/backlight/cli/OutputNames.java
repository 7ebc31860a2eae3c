package dev.backlight.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The names of the files {@code explain} writes for one input, derived from its stem: for {@code
 * photo.jpg} the map {@code photo.<method>.png} (or {@code photo.<method>.top<r>.png} for each rank
 * r of a top-k with k > 1); for {@code x.npy} the logits {@code x.logits.npy} and the maps {@code
 * x.<method>.npy} (or {@code .top<r>.npy}); for both the report {@code <stem>.explain.json}.
 *
 * @param logits the logits file, or null for an image
 * @param maps the map file of each rank, best first
 * @param report the JSON report
 */
record OutputNames(String logits, List<String> maps, String report) {
    OutputNames {
        maps = List.copyOf(maps);
    }

    /** The names for one input. */
    static OutputNames of(Path input, InputFile.Kind kind, String method, int ranks) {
        String stem = InputFile.stem(input);
        String extension = kind == InputFile.Kind.IMAGE ? ".png" : ".npy";
        List<String> maps = new ArrayList<>(ranks);
        for (int r = 1; r <= ranks; r++) {
            maps.add(stem + "." + method + (ranks == 1 ? "" : ".top" + r) + extension);
        }
        String logits = kind == InputFile.Kind.ARRAY ? stem + ".logits.npy" : null;
        return new OutputNames(logits, maps, stem + ".explain.json");
    }

    /** Every file name, report last. */
    List<String> all() {
        List<String> names = new ArrayList<>();
        if (logits != null) {
            names.add(logits);
        }
        names.addAll(maps);
        names.add(report);
        return names;
    }

    /**
     * The names for every input, checked: no two inputs may write the same file (two inputs with
     * the same stem) and no output may replace an input.
     *
     * @throws IllegalArgumentException naming the clashing inputs
     * @throws dev.backlight.api.InputFormatException if an input's kind cannot be told from its name
     */
    static List<OutputNames> planAll(List<Path> inputs, String method, int ranks, Path outDir) {
        Map<String, Path> writer = new HashMap<>();
        Map<Path, Path> inputsByLocation = new HashMap<>();
        for (Path input : inputs) {
            inputsByLocation.put(input.toAbsolutePath().normalize(), input);
        }
        List<OutputNames> plan = new ArrayList<>(inputs.size());
        for (Path input : inputs) {
            OutputNames names = of(input, InputFile.Kind.of(input), method, ranks);
            for (String name : names.all()) {
                Path earlier = writer.putIfAbsent(name, input);
                if (earlier != null) {
                    throw new IllegalArgumentException("inputs " + earlier + " and " + input + " would both write "
                            + name + " (outputs are named after the input's file name without extension); rename one"
                            + " or explain them in separate runs with different --out folders");
                }
                Path replaced = inputsByLocation.get(outDir.resolve(name).toAbsolutePath().normalize());
                if (replaced != null) {
                    throw new IllegalArgumentException("the output " + name + " for " + input + " would replace the input "
                            + replaced + "; choose another --out folder");
                }
            }
            plan.add(names);
        }
        return plan;
    }
}
