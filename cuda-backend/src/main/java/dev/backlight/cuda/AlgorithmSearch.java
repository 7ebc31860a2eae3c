package dev.backlight.cuda;

import java.util.Locale;

/**
 * How the CUDA backend asks cuDNN for a convolution's algorithm, once per convolution geometry
 * and backend (the batch size is not part of the question: see {@link AlgorithmCache}).
 */
enum AlgorithmSearch {
    /**
     * cuDNN's heuristics ({@code cudnnGet…Algorithm_v7}): no convolution is run to choose, so a
     * model is ready at once. The default.
     */
    HEURISTICS("heuristics"),
    /**
     * cuDNN measures every algorithm ({@code cudnnFind…Algorithm}) on the first batch it sees;
     * the heuristics answer where measuring fails. Slower to start (DenseNet-201 has about 200
     * distinct convolutions to measure), sometimes faster to run.
     */
    FIND("find");

    private final String id;

    AlgorithmSearch(String id) {
        this.id = id;
    }

    /** The name users give, such as {@code heuristics}. */
    String id() {
        return id;
    }

    /**
     * The search named {@code id}, case ignored.
     *
     * @throws IllegalArgumentException for any other name
     */
    static AlgorithmSearch byId(String id) {
        for (AlgorithmSearch s : values()) {
            if (s.id.equals(id.trim().toLowerCase(Locale.ROOT))) {
                return s;
            }
        }
        throw new IllegalArgumentException("the CUDA backend setting " + CudaSettings.ALGORITHMS + " is '" + id
                + "'; give heuristics (the default) or find");
    }
}
