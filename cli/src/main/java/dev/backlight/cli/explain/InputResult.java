package dev.backlight.cli.explain;

import dev.backlight.Explanation;
import dev.backlight.api.method.Attribution;
import dev.backlight.densenet.imagenet.Prediction;
import java.util.List;

/**
 * The result for one input: its attribution (logits, classes and maps of its images only), the
 * five most probable classes of each image, the names of its output files, and what it cost.
 *
 * @param input the input
 * @param names its output file names
 * @param attribution the part of the batch's attribution that belongs to this input
 * @param explanation for an image, the library's explanation of it (the attribution is its own); null for an array
 * @param top5 the five most probable classes of each of its images
 * @param computeNanos its share of its batch's attribution time (by image count)
 */
record InputResult(InputFile input, OutputNames names, Attribution attribution, Explanation explanation,
                   List<List<Prediction>> top5,
                   long computeNanos) {
    InputResult {
        top5 = List.copyOf(top5);
    }
}
