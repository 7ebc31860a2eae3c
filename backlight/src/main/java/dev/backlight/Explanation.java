package dev.backlight;

import dev.backlight.api.BacklightException;
import dev.backlight.api.Tensor;
import dev.backlight.api.io.Npy;
import dev.backlight.api.method.Attribution;
import dev.backlight.densenet.imagenet.CropBox;
import dev.backlight.densenet.imagenet.Prediction;
import dev.backlight.render.Banner;
import dev.backlight.render.MapPictures;
import dev.backlight.render.MapStyle;
import dev.backlight.render.NormalisedMap;
import dev.backlight.render.PictureKind;
import dev.backlight.render.PngFiles;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * What an {@link Explainer} found for one image: the model's predictions, the explained classes and
 * one attribution map per explained class (rank 0 first: the top-1 class unless another was asked
 * for), with what an application needs next — pictures of the maps, {@code .npy} files.
 *
 * <p>Immutable and thread-safe; it holds the image's maps and its input picture (about 1.5 MB for
 * a 224×224 image), not the model.
 */
public final class Explanation {
    private final Attribution attribution;
    private final PreparedImage image;
    private final Tensor pixels;
    private final Context context;

    /** What every explanation of one explainer shares. */
    record Context(dev.backlight.densenet.imagenet.ClassLabels labels, MapStyle style, String model, String weights,
                   Optional<String> warning, ImagePictures pictures) {
    }

    /** Turns a normalised network input back into the picture it came from (for inputs given as tensors). */
    interface ImagePictures {
        BufferedImage picture(Tensor pixels);
    }

    /**
     * @param image the prepared picture, or null for an input given as a tensor
     * @param pixels the network input, {@code [1, C, H, W]}
     */
    Explanation(Attribution attribution, PreparedImage image, Tensor pixels, Context context) {
        if (attribution.batchSize() != 1) {
            throw new IllegalArgumentException("an explanation is of one image, got a batch of " + attribution.batchSize());
        }
        this.attribution = attribution;
        this.image = image;
        this.pixels = Objects.requireNonNull(pixels, "pixels");
        this.context = Objects.requireNonNull(context, "context");
    }

    /**
     * The {@code k} most probable classes, best first, with their labels and softmax probabilities
     * (fewer when the model has fewer classes).
     *
     * @throws IllegalArgumentException if {@code k} is not positive
     */
    public List<Prediction> top(int k) {
        return Prediction.top(attribution.logits(), 0, k, context.labels());
    }

    /** The class explained by {@link #map()}: the top-1 class, or the one asked for. */
    public int targetClass() {
        return attribution.targetClass(0, 0);
    }

    /** Every explained class, in rank order ({@code top-k} targets give k). */
    public int[] targetClasses() {
        return attribution.classes()[0].clone();
    }

    /** The label of {@link #targetClass()}. */
    public String targetLabel() {
        return context.labels().name(targetClass());
    }

    /** The raw attribution map of {@link #targetClass()}: {@code [1, C, H, W]} (C = 3 for input gradients, 1 for Grad-CAM). */
    public Tensor map() {
        return map(0);
    }

    /**
     * The raw map of the {@code rank}-th explained class.
     *
     * @throws IndexOutOfBoundsException if there is no such rank
     */
    public Tensor map(int rank) {
        return attribution.map(rank);
    }

    /** The model output for this image, {@code [1, classes]}. */
    public Tensor logits() {
        return attribution.logits();
    }

    /** The attribution method's id. */
    public String method() {
        return attribution.method();
    }

    /** The backend that computed it. */
    public String backend() {
        return attribution.backend();
    }

    /** Where the weights came from. */
    public String weights() {
        return context.weights();
    }

    /** The warning every output of this explanation carries, if any (random weights have one). */
    public Optional<String> warning() {
        return context.warning();
    }

    /**
     * Method-specific figures per explained class, e.g. Integrated Gradients' completeness check
     * ({@code ig.sum}, {@code ig.delta}); empty for most methods.
     */
    public Map<String, double[]> diagnostics() {
        Map<String, double[]> out = new LinkedHashMap<>();
        attribution.diagnostics().forEach((name, v) -> out.put(name, v[0].clone()));
        return out;
    }

    /** The whole attribution of this image (a batch of one), as the lower-level API gives it. */
    public Attribution attribution() {
        return attribution;
    }

    /** The picture the model saw (the preprocessed crop; for a tensor input, the tensor turned back into colours). */
    public BufferedImage input() {
        return image != null ? copy(image.crop()) : context.pictures().picture(pixels);
    }

    /** The network input, {@code [1, C, H, W]}, normalised as the model expects. */
    public Tensor pixels() {
        return pixels;
    }

    /** The file explained, if the input was a file. */
    public Optional<Path> path() {
        return image == null ? Optional.empty() : Optional.ofNullable(image.path());
    }

    /** The prepared picture, if the input was a picture (not a tensor). */
    public Optional<PreparedImage> image() {
        return Optional.ofNullable(image);
    }

    /** Where the crop lies in the source picture, if the input was a picture. */
    public Optional<CropBox> cropBox() {
        return image == null ? Optional.empty() : Optional.of(image.box());
    }

    /**
     * A picture of {@link #map()}: {@code gray}, {@code heatmap}, {@code overlay} (the heat map on
     * {@link #input()}) or {@code rgb}, in the explainer's style.
     *
     * @throws IllegalArgumentException for an unknown kind
     */
    public BufferedImage picture(String kind) {
        return picture(PictureKind.byId(kind), 0, context.style());
    }

    /**
     * A picture of the {@code rank}-th map in {@code style}. Pictures made with random weights carry
     * the banner {@value WeightsSource#RANDOM_BANNER}.
     */
    public BufferedImage picture(PictureKind kind, int rank, MapStyle style) {
        BufferedImage base = kind == PictureKind.OVERLAY ? input() : null;
        BufferedImage picture = MapPictures.draw(kind, map(rank), 0, style, base);
        if (context.warning().isPresent()) {
            Banner.draw(picture, WeightsSource.RANDOM_BANNER);
        }
        return picture;
    }

    /**
     * The {@code rank}-th map placed on the whole source picture, at its resolution (0 outside the
     * crop): needs the source, kept when the explainer was built with
     * {@link Explainer.Builder#keepSourceImages(boolean)}.
     *
     * @throws IllegalStateException if the source picture was not kept
     */
    public BufferedImage pictureOnSource(PictureKind kind, int rank, MapStyle style) {
        if (image == null || image.source() == null) {
            throw new IllegalStateException("the source picture was not kept; build the explainer with keepSourceImages(true)");
        }
        if (kind == PictureKind.RGB) {
            throw new IllegalArgumentException("the rgb picture is drawn at the map's size only");
        }
        CropBox box = image.box();
        NormalisedMap whole = NormalisedMap.of(map(rank), 0, style).onSource(box.sourceWidth(), box.sourceHeight(), box::cropX,
                box::cropY);
        BufferedImage picture = MapPictures.draw(kind, whole, style, image.source(), map(rank), 0);
        if (context.warning().isPresent()) {
            Banner.draw(picture, WeightsSource.RANDOM_BANNER);
        }
        return picture;
    }

    /**
     * Writes {@link #picture(String)} as a PNG file, atomically (a failed write leaves no file), with
     * text chunks saying what it shows ({@code Software}, {@code Description}, and {@code Warning}
     * for random weights).
     *
     * @throws BacklightException if the file cannot be written
     */
    public void savePicture(Path file, String kind) {
        savePicture(file, PictureKind.byId(kind), 0, context.style());
    }

    /** Writes the picture of the {@code rank}-th map in {@code style} as a PNG file; see {@link #savePicture(Path, String)}. */
    public void savePicture(Path file, PictureKind kind, int rank, MapStyle style) {
        PngFiles.write(file, picture(kind, rank, style), pngText(rank, style));
    }

    /** The PNG text chunks of a picture of the {@code rank}-th map in {@code style}. */
    public Map<String, String> pngText(int rank, MapStyle style) {
        int c = attribution.targetClass(0, rank);
        Map<String, String> text = new LinkedHashMap<>();
        text.put("Software", "backlight " + BacklightVersion.get());
        text.put("Description", method() + " map of class " + c + " (" + context.labels().name(c) + "), " + context.model()
                + ", weights " + context.weights() + "; " + style.reduction().id() + " over channels, " + style.sign().id()
                + ", clipped at percentile " + style.clipPercentile() + ", colour map " + style.colormap().name());
        if (context.warning().isPresent()) {
            text.put("Warning", WeightsSource.RANDOM_BANNER);
        }
        return text;
    }

    /**
     * Writes {@link #map()} as a NumPy {@code .npy} file (float32, {@code [1, C, H, W]}), atomically.
     *
     * @throws BacklightException if the file cannot be written
     */
    public void saveNpy(Path file) {
        saveNpy(file, 0);
    }

    /** Writes the {@code rank}-th map as a {@code .npy} file; see {@link #saveNpy(Path)}. */
    public void saveNpy(Path file, int rank) {
        Npy.write(file, map(rank));
    }

    @Override
    public String toString() {
        return "Explanation[" + method() + " of class " + targetClass() + " (" + targetLabel() + ")"
                + (image != null && image.path() != null ? " for " + image.path() : "") + ", classes "
                + Arrays.toString(targetClasses()) + "]";
    }

    private static BufferedImage copy(BufferedImage image) {
        BufferedImage out = new BufferedImage(image.getWidth(), image.getHeight(), BufferedImage.TYPE_INT_RGB);
        out.setRGB(0, 0, image.getWidth(), image.getHeight(),
                image.getRGB(0, 0, image.getWidth(), image.getHeight(), null, 0, image.getWidth()), 0, image.getWidth());
        return out;
    }
}
