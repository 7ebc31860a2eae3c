package dev.backlight.cli.explain;

import java.util.ArrayList;
import java.util.List;

/**
 * How the inputs of a run are grouped: images in input order, {@code --batch-size} at a time (all
 * are 224×224 after preprocessing), then each {@code .npy} array on its own (split into {@code
 * --batch-size} images when it runs, see {@link BatchRunner}).
 */
final class Batch {
    private Batch() {
    }

    /**
     * An input to explain, not read yet, and how its outputs are named. The names are made again
     * each time they are asked for rather than kept: a run over 100,000 inputs would otherwise hold
     * a dozen strings for each of them from start to end.
     *
     * @param spec the file
     * @param naming how the run names outputs
     */
    record Planned(InputSpec spec, OutputNames.Naming naming) {
        /** Its output names. */
        OutputNames names() {
            return naming.of(spec);
        }
    }

    /** Groups the inputs: images in input order, {@code maxImages} at a time, then each array on its own. */
    static List<List<Planned>> plan(List<Planned> inputs, int maxImages) {
        List<List<Planned>> groups = new ArrayList<>();
        List<Planned> images = new ArrayList<>();
        for (Planned p : inputs) {
            if (p.spec().kind() == InputFile.Kind.IMAGE) {
                images.add(p);
                if (images.size() == maxImages) {
                    groups.add(List.copyOf(images));
                    images.clear();
                }
            }
        }
        if (!images.isEmpty()) {
            groups.add(List.copyOf(images));
        }
        for (Planned p : inputs) {
            if (p.spec().kind() == InputFile.Kind.ARRAY) {
                groups.add(List.of(p));
            }
        }
        return groups;
    }
}
