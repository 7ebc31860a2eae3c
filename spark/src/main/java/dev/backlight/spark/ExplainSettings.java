package dev.backlight.spark;

import java.io.Serializable;
import java.util.List;
import java.util.Map;
import org.apache.spark.broadcast.Broadcast;

/**
 * Everything a task needs to explain its partition, fixed on the driver when
 * {@link BacklightExplainer#transform} runs: small, serialisable, and free of the transformer itself.
 *
 * @param inputIndex the position of the image bytes column in the input rows
 * @param pathIndex the position of the path column, or -1 if the input has none
 * @param kept the positions of the input columns copied to the output, in order
 * @param weights the weights as the user named them (resolved on each executor)
 * @param model the architecture
 * @param method the attribution method's id
 * @param methodOptions its options
 * @param backend {@code auto}, {@code cpu} or {@code cuda}
 * @param batchSize images per pass, 0 for automatic
 * @param topK how many classes to explain per image
 * @param outputDir where maps are written, or null
 * @param inputRoot the folder whose layout outputs mirror, or null
 * @param pictures the picture kinds written beside each map
 * @param returnMap whether the map is returned as an array column
 * @param maxPixels the most pixels an image may declare
 * @param executorCores the cores of an executor as the driver knows them, or 0 if unknown
 * @param hadoop the application's Hadoop configuration, or null when no path needs it
 */
record ExplainSettings(int inputIndex, int pathIndex, int[] kept, String weights, String model, String method,
                       Map<String, String> methodOptions, String backend, int batchSize, int topK, String outputDir,
                       String inputRoot, List<String> pictures, boolean returnMap, long maxPixels, int executorCores,
                       Broadcast<HadoopConf> hadoop) implements Serializable {
}
