package dev.backlight.cli;

import dev.backlight.densenet.imagenet.Prediction;
import dev.backlight.api.method.Attribution;
import java.util.List;

/**
 * The result for one input: its attribution (logits, classes and maps of its images only), the
 * five most probable classes of each image, the names of its output files, and what it cost.
 *
 * @param input the input
 * @param names its output file names
 * @param attribution the part of the batch's attribution that belongs to this input
 * @param top5 the five most probable classes of each of its images
 * @param computeNanos its share of its batch's attribution time (by image count)
 */
record InputResult(InputFile input, OutputNames names, Attribution attribution, List<List<Prediction>> top5,
                   long computeNanos) {
    InputResult {
        top5 = List.copyOf(top5);
    }
}
