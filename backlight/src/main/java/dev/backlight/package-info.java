/**
 * Backlight for applications: one builder, one call. {@link dev.backlight.Explainer} loads a
 * DenseNet with its weights (pretrained, a file or random), picks a backend able to run the chosen
 * attribution method, and explains images; each {@link dev.backlight.Explanation} gives the top
 * predictions, the raw map, pictures of it and {@code .npy} files.
 *
 * <pre>{@code
 * try (Explainer explainer = Explainer.builder().method("guided-backprop").build()) {
 *     Explanation e = explainer.explain(Path.of("lion.jpg"));
 *     e.top(5).forEach(p -> System.out.println(p.label() + " " + p.probability()));
 *     e.savePicture(Path.of("lion.overlay.png"), "overlay");
 * }
 * }</pre>
 *
 * <p>The lower layers stay available for research use: the graph, backends, rules and methods
 * ({@code dev.backlight.api}), DenseNet and its weights ({@code dev.backlight.densenet}) and
 * rendering ({@code dev.backlight.render}).
 */
package dev.backlight;
