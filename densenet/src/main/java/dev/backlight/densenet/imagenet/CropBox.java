package dev.backlight.densenet.imagenet;

/**
 * Where the model's square input lies in an image: the image ({@code sourceWidth x sourceHeight})
 * is resized to {@code resizedWidth x resizedHeight} and the square {@code size x size} at
 * ({@code left}, {@code top}) of the resized image is kept. Maps computed on the crop are placed
 * back on the whole image with {@link #sourceX(double)} and {@link #sourceY(double)}.
 *
 * @param sourceWidth the image's width
 * @param sourceHeight the image's height
 * @param resizedWidth the width after resizing
 * @param resizedHeight the height after resizing
 * @param left the crop's first column in the resized image
 * @param top the crop's first row in the resized image
 * @param size the crop's side
 */
public record CropBox(int sourceWidth, int sourceHeight, int resizedWidth, int resizedHeight, int left, int top,
                      int size) {
    public CropBox {
        if (sourceWidth <= 0 || sourceHeight <= 0 || resizedWidth <= 0 || resizedHeight <= 0 || size <= 0
                || left < 0 || top < 0 || left + size > resizedWidth || top + size > resizedHeight) {
            throw new IllegalArgumentException("not a crop inside its image: " + sourceWidth + "x" + sourceHeight
                    + " resized to " + resizedWidth + "x" + resizedHeight + ", crop " + size + " at (" + left + ", "
                    + top + ")");
        }
    }

    /**
     * The crop column (continuous, pixel centres at {@code i + 0.5}) that source column {@code x}
     * (also continuous) falls on; outside {@code [0, size)} it lies outside the crop.
     */
    public double cropX(double x) {
        return x * resizedWidth / sourceWidth - left;
    }

    /** The crop row that source row {@code y} falls on; see {@link #cropX(double)}. */
    public double cropY(double y) {
        return y * resizedHeight / sourceHeight - top;
    }

    /** The source column of crop column {@code x} (continuous coordinates). */
    public double sourceX(double x) {
        return (x + left) * sourceWidth / resizedWidth;
    }

    /** The source row of crop row {@code y} (continuous coordinates). */
    public double sourceY(double y) {
        return (y + top) * sourceHeight / resizedHeight;
    }
}
