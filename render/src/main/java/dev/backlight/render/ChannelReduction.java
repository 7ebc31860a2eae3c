package dev.backlight.render;

import java.util.Locale;

/** How a map's channels (R, G, B of the input gradient) become one value per pixel. */
public enum ChannelReduction {
    /** The signed sum of the channels (Captum's default). */
    SUM,
    /** The channel of largest magnitude, with its sign (with {@code absolute}: Simonyan et al.'s saliency). */
    MAX_ABS,
    /** The Euclidean norm of the channels; never negative. */
    L2;

    /** The user-facing name, such as {@code max-abs}. */
    public String id() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /**
     * The reduction named {@code id}: {@code sum}, {@code max-abs} or {@code l2} (case ignored).
     *
     * @throws IllegalArgumentException for any other name
     */
    public static ChannelReduction byId(String id) {
        return Names.byId(ChannelReduction.class, id, "channel reduction");
    }

    /**
     * The reduced values of image {@code image} of {@code values} laid out {@code [N, channels,
     * plane]}: {@code plane} values.
     */
    public float[] reduce(float[] values, int image, int channels, int plane) {
        float[] out = new float[plane];
        int base = image * channels * plane;
        for (int p = 0; p < plane; p++) {
            double sum = 0;
            double squares = 0;
            float largest = 0;
            for (int c = 0; c < channels; c++) {
                float v = values[base + c * plane + p];
                sum += v;
                squares += (double) v * v;
                if (Math.abs(v) > Math.abs(largest)) {
                    largest = v;
                }
            }
            out[p] = switch (this) {
                case SUM -> (float) sum;
                case MAX_ABS -> largest;
                case L2 -> (float) Math.sqrt(squares);
            };
        }
        return out;
    }
}
