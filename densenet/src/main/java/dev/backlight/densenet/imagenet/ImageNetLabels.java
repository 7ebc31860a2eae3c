package dev.backlight.densenet.imagenet;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The 1000 ImageNet-1k class names in the standard index order (0 {@code tench} ... 999 {@code
 * toilet tissue}), the order of a torchvision DenseNet's logits.
 *
 * <p>The names are torchvision's ({@code imagenet_classes.txt} beside this class, BSD-3-Clause; see
 * {@code imagenet_classes.LICENSE.txt}). They are unique: the two names other lists repeat are
 * {@code crane bird} (134) / {@code crane} (517) and {@code maillot tank suit} (639) / {@code
 * maillot} (638). Immutable and safe to share between threads.
 */
public final class ImageNetLabels implements ClassLabels {
    /** Number of ImageNet-1k classes. */
    public static final int CLASS_COUNT = 1000;

    private static final String RESOURCE = "imagenet_classes.txt";

    private final List<String> names;
    private final Map<String, Integer> indexByName;

    private ImageNetLabels(List<String> names) {
        this.names = List.copyOf(names);
        this.indexByName = new HashMap<>();
        for (int i = 0; i < names.size(); i++) {
            if (indexByName.putIfAbsent(names.get(i), i) != null) {
                throw new IllegalStateException("class name '" + names.get(i) + "' appears twice in " + RESOURCE);
            }
        }
    }

    /**
     * The labels, read from the classpath on first use and cached.
     *
     * @throws IllegalStateException if the bundled resource is missing or does not hold exactly
     *     1000 unique names (a broken build, not a caller mistake)
     */
    public static ImageNetLabels load() {
        return Holder.INSTANCE;
    }

    /**
     * The name of class {@code index}.
     *
     * @throws IllegalArgumentException if {@code index} is outside {@code [0, size())}
     */
    @Override
    public String name(int index) {
        if (index < 0 || index >= names.size()) {
            throw new IllegalArgumentException(
                    "ImageNet class index " + index + " is outside [0, " + (names.size() - 1) + "]");
        }
        return names.get(index);
    }

    /** The number of classes (1000). */
    @Override
    public int size() {
        return names.size();
    }

    /** The index of the class with exactly this name (case and spaces count), or -1 if none. */
    public int indexOf(String name) {
        return indexByName.getOrDefault(name, -1);
    }

    private static ImageNetLabels read() {
        try (InputStream in = ImageNetLabels.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("resource " + RESOURCE + " is missing beside "
                        + ImageNetLabels.class.getName() + "; the densenet jar is incomplete");
            }
            List<String> names = new ArrayList<>(CLASS_COUNT);
            BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
            for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                names.add(line);
            }
            if (names.size() != CLASS_COUNT) {
                throw new IllegalStateException(
                        RESOURCE + " has " + names.size() + " lines but ImageNet-1k has " + CLASS_COUNT + " classes");
            }
            return new ImageNetLabels(names);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read resource " + RESOURCE + ": " + e.getMessage(), e);
        }
    }

    /** Lazy holder: the file is read once, on the first call to {@link #load()}. */
    private static final class Holder {
        static final ImageNetLabels INSTANCE = read();
    }
}
