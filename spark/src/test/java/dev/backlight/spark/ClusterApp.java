package dev.backlight.spark;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * The application {@link LocalClusterTest} submits with {@code spark-submit} to a
 * {@code local-cluster}: explains a folder on two executor JVMs and writes one line per file:
 * path, class, map file, error, and the process id and model build count of the executor that
 * explained it (read after the executor finished the partition).
 *
 * <p>Arguments: {@code IMAGES OUTPUT_DIR RESULT_FILE WEIGHTS}.
 */
public final class ClusterApp {
    private ClusterApp() {
    }

    /** Runs the application; see the class description. */
    public static void main(String[] args) throws IOException {
        SparkSession spark = SparkSession.builder().appName("backlight-local-cluster-test").getOrCreate();
        try {
            // One partition per file (each counts at least the open cost), so both executors get work
            // without a shuffle.
            spark.conf().set("spark.sql.files.maxPartitionBytes", "64k");
            spark.conf().set("spark.sql.files.openCostInBytes", "64k");
            Dataset<Row> images = spark.read().format("binaryFile").option("recursiveFileLookup", "true").load(args[0]);
            Dataset<Row> explained = new BacklightExplainer()
                    .setWeights(args[3])
                    .setModel(Fixtures.MODEL)
                    .setMethod(Fixtures.METHOD)
                    .setBackend("cpu")
                    .setOutputDir(args[1])
                    .setInputRoot(args[0])
                    .transform(images)
                    .select("path", BacklightExplainer.PREDICTED_CLASS, BacklightExplainer.MAP_PATH, BacklightExplainer.ERROR);
            StructType withExecutor = explained.schema()
                    .add("pid", DataTypes.LongType)
                    .add("builds", DataTypes.LongType);
            // In the same task, after the partition's rows: which JVM explained them, and how many models it built.
            Dataset<Row> rows = explained.mapPartitions((MapPartitionsFunction<Row, Row>) partition -> {
                List<Row> all = new ArrayList<>();
                partition.forEachRemaining(all::add);
                long pid = ProcessHandle.current().pid();
                long builds = ExecutorModels.builds();
                List<Row> out = new ArrayList<>();
                for (Row r : all) {
                    out.add(RowFactory.create(r.get(0), r.get(1), r.get(2), r.get(3), pid, builds));
                }
                return out.iterator();
            }, Encoders.row(withExecutor));
            List<String> lines = new ArrayList<>();
            for (Row r : rows.collectAsList()) {
                lines.add(r.getString(0) + "\t" + r.get(1) + "\t" + r.get(2) + "\t" + r.get(3) + "\t" + r.getLong(4) + "\t"
                        + r.getLong(5));
            }
            Files.write(Path.of(args[2]), lines);
        } finally {
            spark.stop();
        }
    }
}
