package dev.backlight.densenet.imagenet;

import dev.backlight.api.Shape;
import dev.backlight.api.Tensor;
import java.awt.image.BufferedImage;
import java.util.List;
import java.util.Objects;

/**
 * Turns images into the normalised float32 NCHW tensor a torchvision ImageNet model expects,
 * reproducing torchvision's classic evaluation transform on a Pillow RGB image:
 *
 * <pre>{@code
 * Compose([Resize(256), CenterCrop(224), ToTensor(),
 *          Normalize(mean=(0.485, 0.456, 0.406), std=(0.229, 0.224, 0.225))])
 * }</pre>
 *
 * <ol>
 *   <li>Resize: the shorter side becomes {@link #DEFAULT_RESIZE}, the longer {@code (int)
 *       (resize * long / short)} (truncated, as torchvision computes it), with Pillow's antialiased
 *       bilinear filter, bit for bit. An image whose size already matches is left as is.
 *   <li>Centre crop to {@link #DEFAULT_CROP} square; the offsets {@code (size - crop) / 2.0} are
 *       rounded half to even, as Python's {@code round}.
 *   <li>Each 8-bit channel value {@code v} becomes {@code (v / 255f - mean[c]) / std[c]}, in float32
 *       as torchvision computes it. Channels are R, G, B.
 * </ol>
 *
 * <p>{@link #keras()} is the preprocessing of Keras' DenseNet instead, for models trained there:
 * {@code keras.utils.load_img(path, target_size=(224, 224))} resizes the whole image straight to
 * 224×224 with Pillow's nearest-neighbour filter (no aspect ratio kept, no crop), then
 * {@code keras.applications.densenet.preprocess_input} scales to [0, 1] and normalises with the
 * same ImageNet mean and standard deviation in float32. Choose by name with {@link #byName}:
 * {@code torchvision} (the default) or {@code keras}. (Keras' {@code load_img} ignores a JPEG's EXIF
 * orientation, which {@link ImageLoader} applies; pass upright images to compare with Keras.)
 *
 * <p>Images that are not {@code TYPE_INT_RGB} are converted first, as {@link ImageLoader} does
 * (gray replicated, alpha composited on white). Immutable and safe to share between threads.
 */
public final class ImageNetPreprocessor {
    /** The name of torchvision's evaluation preprocessing, the default. */
    public static final String TORCHVISION = "torchvision";

    /** The name of Keras' DenseNet preprocessing ({@code load_img} + {@code preprocess_input}). */
    public static final String KERAS = "keras";

    /** torchvision's evaluation resize: the shorter side, in pixels, before cropping. */
    public static final int DEFAULT_RESIZE = 256;

    /** torchvision's evaluation crop: the side of the square the model sees, in pixels. */
    public static final int DEFAULT_CROP = 224;

    /** The ImageNet training set's per-channel means (R, G, B), on the 0..1 scale. */
    private static final float[] MEAN = {0.485f, 0.456f, 0.406f};

    /** The ImageNet training set's per-channel standard deviations (R, G, B), on the 0..1 scale. */
    private static final float[] STD = {0.229f, 0.224f, 0.225f};

    private static final ImageNetPreprocessor STANDARD = new ImageNetPreprocessor(DEFAULT_RESIZE, DEFAULT_CROP);

    private static final ImageNetPreprocessor KERAS_DENSENET = new ImageNetPreprocessor(DEFAULT_CROP, DEFAULT_CROP, true);

    private final int resize;
    private final int crop;
    /** Resize the whole image to crop x crop with Pillow's nearest filter instead of shorter side + centre crop. */
    private final boolean keras;

    /**
     * A preprocessor with other sizes, for example {@code new ImageNetPreprocessor(342, 299)}.
     *
     * @param resize the length the shorter side is resized to
     * @param crop the side of the centre square that is kept
     * @throws IllegalArgumentException unless {@code 0 < crop <= resize}
     */
    public ImageNetPreprocessor(int resize, int crop) {
        if (crop <= 0 || crop > resize) {
            throw new IllegalArgumentException(
                    "need 0 < crop <= resize, got resize " + resize + " and crop " + crop);
        }
        this.resize = resize;
        this.crop = crop;
        this.keras = false;
    }

    private ImageNetPreprocessor(int resize, int crop, boolean keras) {
        this.resize = resize;
        this.crop = crop;
        this.keras = keras;
    }

    /** The standard ImageNet evaluation preprocessing: resize 256, crop 224. */
    public static ImageNetPreprocessor standard() {
        return STANDARD;
    }

    /**
     * Keras' DenseNet preprocessing: the whole image resized to 224×224 with Pillow's nearest
     * filter, as {@code keras.utils.load_img(target_size=(224, 224))} does, then normalised as
     * {@code preprocess_input} does (the same arithmetic as torchvision's).
     */
    public static ImageNetPreprocessor keras() {
        return KERAS_DENSENET;
    }

    /**
     * The preprocessing of this name: {@value #TORCHVISION} ({@link #standard()}) or
     * {@value #KERAS} ({@link #keras()}), case-insensitive.
     *
     * @throws IllegalArgumentException for any other name, listing the known ones
     */
    public static ImageNetPreprocessor byName(String name) {
        switch (name.toLowerCase(java.util.Locale.ROOT)) {
            case TORCHVISION:
                return STANDARD;
            case KERAS:
                return KERAS_DENSENET;
            default:
                throw new IllegalArgumentException("unknown preprocessing '" + name + "'; known: " + TORCHVISION
                        + " (resize 256, centre crop 224), " + KERAS + " (resize to 224x224, nearest)");
        }
    }

    /** {@value #TORCHVISION} or {@value #KERAS}. */
    public String name() {
        return keras ? KERAS : TORCHVISION;
    }

    /**
     * The length the shorter side is resized to; for {@link #keras()} both sides are resized to
     * {@link #crop()} and this is {@code crop()}.
     */
    public int resize() {
        return resize;
    }

    /** The side of the square crop, which is the tensor's height and width. */
    public int crop() {
        return crop;
    }

    /**
     * The mean subtracted from channel {@code channel} (0 R, 1 G, 2 B), on the 0..1 scale.
     *
     * @throws IndexOutOfBoundsException unless {@code 0 <= channel < 3}
     */
    public static float mean(int channel) {
        return MEAN[channel];
    }

    /**
     * The standard deviation channel {@code channel} (0 R, 1 G, 2 B) is divided by.
     *
     * @throws IndexOutOfBoundsException unless {@code 0 <= channel < 3}
     */
    public static float std(int channel) {
        return STD[channel];
    }

    /**
     * The resized and centre-cropped 8-bit image, {@code crop x crop}, {@code TYPE_INT_RGB}: exactly
     * the pixels that {@link #toTensor(BufferedImage)} normalises, for drawing overlays on. For
     * {@link #keras()}, the whole image resized to {@code crop x crop}.
     *
     * @throws IllegalArgumentException if the resized image would be smaller than the crop, or its
     *     longer side would not fit an {@code int}
     * @throws dev.backlight.api.InputFormatException if the image is neither RGB nor gray
     */
    public BufferedImage resizeAndCrop(BufferedImage image) {
        BufferedImage rgb = RgbImages.toIntRgb(Objects.requireNonNull(image, "image"), "image");
        int width = rgb.getWidth();
        int height = rgb.getHeight();
        CropBox box = cropBox(width, height);
        int[] pixels = rgb.getRGB(0, 0, width, height, null, 0, width);
        if (keras) {
            BufferedImage out = new BufferedImage(crop, crop, BufferedImage.TYPE_INT_RGB);
            out.setRGB(0, 0, crop, crop, PillowNearestResampler.resize(pixels, width, height, crop, crop), 0, crop);
            return out;
        }
        int[] window = PillowBilinearResampler.resizeWindow(
                pixels, width, height, box.resizedWidth(), box.resizedHeight(), box.left(), box.top(), crop, crop);
        BufferedImage out = new BufferedImage(crop, crop, BufferedImage.TYPE_INT_RGB);
        out.setRGB(0, 0, crop, crop, window, 0, crop);
        return out;
    }

    /**
     * Where the crop of a {@code width x height} image lies: the resized size and the crop's offset,
     * exactly as {@link #resizeAndCrop(BufferedImage)} computes them (for {@link #keras()}: resized
     * to {@code crop x crop}, offset 0).
     *
     * @throws IllegalArgumentException as {@link #resizeAndCrop(BufferedImage)}
     */
    public CropBox cropBox(int width, int height) {
        if (width <= 0 || height <= 0) {
            throw new IllegalArgumentException("an image must have pixels, got " + width + "x" + height);
        }
        if (keras) {
            return new CropBox(width, height, crop, crop, 0, 0, crop);
        }
        int resizedWidth = width <= height ? resize : longerSide(width, height);
        int resizedHeight = width <= height ? longerSide(height, width) : resize;
        if (resizedWidth < crop || resizedHeight < crop) {
            throw new IllegalArgumentException("a " + width + "x" + height + " image resized to " + resizedWidth
                    + "x" + resizedHeight + " is smaller than the " + crop + "x" + crop + " crop");
        }
        int left = (int) Math.rint((resizedWidth - crop) / 2.0);
        int top = (int) Math.rint((resizedHeight - crop) / 2.0);
        return new CropBox(width, height, resizedWidth, resizedHeight, left, top, crop);
    }

    /**
     * One image as a normalised float32 tensor of shape {@code [1, 3, crop, crop]}.
     *
     * @throws IllegalArgumentException see {@link #resizeAndCrop(BufferedImage)}
     * @throws dev.backlight.api.InputFormatException if the image is neither RGB nor gray
     */
    public Tensor toTensor(BufferedImage image) {
        float[] data = new float[3 * crop * crop];
        normalise(resizeAndCrop(image), data, 0);
        return Tensor.of(Shape.nchw(1, 3, crop, crop), data);
    }

    /**
     * An image already resized and cropped by {@link #resizeAndCrop(BufferedImage)} as a normalised
     * float32 tensor {@code [1, 3, crop, crop]}: the same as {@code toTensor} of the original image,
     * without resizing it twice.
     *
     * @throws IllegalArgumentException unless the image is {@code crop x crop}
     */
    public Tensor normalise(BufferedImage cropped) {
        if (cropped.getWidth() != crop || cropped.getHeight() != crop) {
            throw new IllegalArgumentException("expected a " + crop + "x" + crop + " crop, got "
                    + cropped.getWidth() + "x" + cropped.getHeight());
        }
        float[] data = new float[3 * crop * crop];
        normalise(RgbImages.toIntRgb(cropped, "image"), data, 0);
        return Tensor.of(Shape.nchw(1, 3, crop, crop), data);
    }

    /**
     * A batch of images, in list order, as a normalised float32 tensor {@code [N, 3, crop, crop]}.
     *
     * @throws IllegalArgumentException if the list is empty, or see {@link
     *     #resizeAndCrop(BufferedImage)}
     * @throws dev.backlight.api.InputFormatException if an image is neither RGB nor gray
     */
    public Tensor toTensor(List<BufferedImage> images) {
        if (images.isEmpty()) {
            throw new IllegalArgumentException("no images to preprocess");
        }
        int perImage = 3 * crop * crop;
        float[] data = new float[images.size() * perImage];
        for (int n = 0; n < images.size(); n++) {
            normalise(resizeAndCrop(images.get(n)), data, n * perImage);
        }
        return Tensor.of(Shape.nchw(images.size(), 3, crop, crop), data);
    }

    /** torchvision's {@code int(resize * long / short)}: exact product, one rounding, truncation. */
    private int longerSide(int longSide, int shortSide) {
        double length = (double) ((long) resize * longSide) / shortSide;
        if (length >= Integer.MAX_VALUE) {
            throw new IllegalArgumentException("resizing a side of " + shortSide + " to " + resize
                    + " makes the other side of " + longSide + " too long: " + length);
        }
        return (int) length;
    }

    /** Writes the crop's channel planes R, G, B from {@code offset}. */
    private void normalise(BufferedImage cropped, float[] out, int offset) {
        int plane = crop * crop;
        int[] pixels = cropped.getRGB(0, 0, crop, crop, null, 0, crop);
        for (int c = 0; c < 3; c++) {
            int shift = 16 - 8 * c;
            for (int p = 0; p < plane; p++) {
                // ToTensor divides by 255 in float32; Normalize subtracts, then divides, in float32.
                float x = (pixels[p] >> shift & 0xFF) / 255f;
                out[offset + c * plane + p] = (x - MEAN[c]) / STD[c];
            }
        }
    }
}
