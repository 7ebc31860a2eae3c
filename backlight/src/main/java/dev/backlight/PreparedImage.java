package dev.backlight;

import dev.backlight.api.Tensor;
import dev.backlight.densenet.imagenet.CropBox;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.Objects;

/**
 * An image decoded and preprocessed for the model, made by {@link Explainer#prepare(Path)} or
 * {@link Explainer#prepare(BufferedImage)}: the picture the model sees and the tensor it gets.
 * Preparing is the part of explaining that needs no model, so applications may prepare images on
 * other threads and hand them to {@link Explainer#explainBatch}.
 *
 * @param path the file it came from, or null
 * @param crop the resized and cropped picture the model saw (224×224 for the standard preprocessing)
 * @param box where the crop lies in the source picture
 * @param pixels the normalised network input, {@code [1, 3, H, W]}
 * @param source the whole upright source picture, kept only when the explainer was built with
 *     {@link Explainer.Builder#keepSourceImages(boolean)}; null otherwise
 */
public record PreparedImage(Path path, BufferedImage crop, CropBox box, Tensor pixels, BufferedImage source) {
    public PreparedImage {
        Objects.requireNonNull(crop, "crop");
        Objects.requireNonNull(box, "box");
        Objects.requireNonNull(pixels, "pixels");
        if (pixels.shape().rank() != 4 || pixels.shape().dim(0) != 1) {
            throw new IllegalArgumentException("a prepared image holds one image [1, 3, H, W], got " + pixels.shape());
        }
    }
}
