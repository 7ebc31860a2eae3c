package dev.backlight.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.backlight.api.io.Npy;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@link BacklightExplainer} in local mode ({@code local[2]}) on a folder read with Spark's
 * {@code binaryFile} source, checked against the {@code backlight explain} command run on the same
 * files with the same weights ({@link Fixtures#cli()}): the same classes, probabilities, maps (bit
 * for bit: the same decoder, preprocessing and CPU backend; the CPU backend's results do not depend
 * on thread count or batch size) and pictures; bad files as error rows with no failed task; a task
 * that fails after writing its maps and is retried leaves the same complete files; one model per
 * JVM across partitions and jobs.
 */
class BacklightExplainerTest {
    private static SparkSession spark;
    private static Path images;
    private static Map<String, Fixtures.Reference> cli;

    @BeforeAll
    static void start() {
        spark = TestSpark.session();
        images = Fixtures.images();
        cli = Fixtures.cli();
    }

    private static Dataset<Row> folder(int partitions) {
        return spark.read().format("binaryFile").option("recursiveFileLookup", "true").load(images.toString())
                .repartition(partitions);
    }

    private static BacklightExplainer explainer() {
        return new BacklightExplainer().setWeights(Fixtures.WEIGHTS).setModel(Fixtures.MODEL).setMethod(Fixtures.METHOD)
                .setBackend("cpu");
    }

    @Test
    void explainsAFolderAsTheCliDoesWithOneModelPerJvm() throws IOException {
        Path out = Path.of("target", "spark-test-data", "out-main").toAbsolutePath();
        Fixtures.deleteRecursively(out);
        ExecutorModels.release();
        long builds = ExecutorModels.builds();
        BacklightExplainer explainer = explainer().setOutputDir(out.toString()).setInputRoot(images.toString())
                .setPictures("gray");

        spark.sparkContext().setJobGroup("main", "explain the folder", false);
        Dataset<Row> explained = explainer.transform(folder(3));
        List<Row> rows = explained.collectAsList();
        spark.sparkContext().clearJobGroup();

        assertEquals(List.of("path", "modificationTime", "length", BacklightExplainer.PREDICTED_CLASS,
                BacklightExplainer.PREDICTED_LABEL, BacklightExplainer.PROBABILITY, BacklightExplainer.MAP_PATH,
                BacklightExplainer.ERROR), Arrays.asList(explained.schema().fieldNames()), "columns");
        Map<String, Row> byName = byName(rows);
        assertEquals(Fixtures.GOOD.size() + 2, rows.size(), "one row per file: " + byName.keySet());
        List<String> expectedFiles = new ArrayList<>();
        for (Map.Entry<String, Fixtures.Reference> e : cli.entrySet()) {
            Row row = byName.get(e.getKey());
            Fixtures.Reference ref = e.getValue();
            assertNull(row.getAs(BacklightExplainer.ERROR), e.getKey());
            assertEquals(ref.predictedClass(), (int) row.getAs(BacklightExplainer.PREDICTED_CLASS), e.getKey());
            assertEquals(ref.label(), row.getAs(BacklightExplainer.PREDICTED_LABEL), e.getKey());
            // The CLI's report prints the same double; JSON round-trips it exactly.
            assertEquals(ref.probability(), (double) row.getAs(BacklightExplainer.PROBABILITY), 0.0, e.getKey());
            String npy = e.getKey() + "." + Fixtures.METHOD + ".npy";
            assertEquals(out.resolve(npy).toString(), row.getAs(BacklightExplainer.MAP_PATH), e.getKey());
            assertArrayEquals(ref.map().data(), Npy.read(out.resolve(npy)).data(), e.getKey() + ": the map, bit for bit");
            assertEquals(ref.map().shape(), Npy.read(out.resolve(npy)).shape());
            String png = e.getKey() + "." + Fixtures.METHOD + ".gray.png";
            assertArrayEquals(pixels(ref.grayPicture()), pixels(out.resolve(png)), e.getKey() + ": the gray picture");
            expectedFiles.add(npy);
            expectedFiles.add(png);
        }
        assertBadRows(byName);
        assertEquals(expectedFiles.stream().sorted().toList(), Fixtures.files(out), "every map, nothing else");
        assertEquals(builds + 1, ExecutorModels.builds(), "one model for three partitions on two task threads");
        TestSpark.assertNoFailedTasks("main");

        // A second job (a rerun into the same folder) uses the same model and rewrites the same bytes.
        Map<String, byte[]> before = contents(out);
        List<Row> again = explainer.transform(folder(2)).collectAsList();
        assertEquals(builds + 1, ExecutorModels.builds(), "the model of the first job, reused by the second");
        assertEquals(byName(rows).keySet(), byName(again).keySet());
        assertContentsEqual(before, contents(out));
    }

    @Test
    void aTaskRetriedAfterWritingItsMapsLeavesTheSameCompleteFiles() throws IOException {
        Path out = Path.of("target", "spark-test-data", "out-retried").toAbsolutePath();
        Fixtures.deleteRecursively(out);
        BacklightExplainer explainer = explainer().setOutputDir(out.toString()).setInputRoot(images.toString()).setTopK(2);
        Dataset<Row> explained = explainer.transform(folder(2));
        // Consumes its partition (so the maps are written), then fails the first attempt of partition 0:
        // Spark runs that task again, writing the same files a second time.
        Dataset<Row> failingOnce = explained.mapPartitions((MapPartitionsFunction<Row, Row>) partition -> {
            List<Row> all = new ArrayList<>();
            partition.forEachRemaining(all::add);
            TaskContext task = TaskContext.get();
            if (task.partitionId() == 0 && task.attemptNumber() == 0) {
                throw new IllegalStateException("injected: the first attempt fails after writing its maps");
            }
            return all.iterator();
        }, Encoders.row(explained.schema()));

        spark.sparkContext().setJobGroup("retried", "a task fails once", false);
        List<Row> rows = failingOnce.collectAsList();
        spark.sparkContext().clearJobGroup();

        assertTrue(TestSpark.failedTasks("retried") >= 1, "the injected failure should have failed one attempt");
        Map<String, Row> byName = byName(rows);
        assertEquals(Fixtures.GOOD.size() + 2, rows.size());
        List<String> expectedFiles = new ArrayList<>();
        for (Map.Entry<String, Fixtures.Reference> e : cli.entrySet()) {
            Row row = byName.get(e.getKey());
            assertNull(row.getAs(BacklightExplainer.ERROR), e.getKey());
            List<Integer> top = row.getList(row.fieldIndex(BacklightExplainer.TOP_CLASSES));
            assertEquals(2, top.size());
            assertEquals(e.getValue().predictedClass(), top.get(0), e.getKey());
            assertEquals(e.getValue().predictedClass(), (int) row.getAs(BacklightExplainer.PREDICTED_CLASS));
            List<String> paths = row.getList(row.fieldIndex(BacklightExplainer.MAP_PATHS));
            String first = e.getKey() + "." + Fixtures.METHOD + ".top1.npy";
            String second = e.getKey() + "." + Fixtures.METHOD + ".top2.npy";
            assertEquals(List.of(out.resolve(first).toString(), out.resolve(second).toString()), paths);
            assertEquals(paths.get(0), row.getAs(BacklightExplainer.MAP_PATH));
            assertArrayEquals(e.getValue().map().data(), Npy.read(out.resolve(first)).data(), e.getKey() + ": top-1 map");
            assertFalse(Arrays.equals(e.getValue().map().data(), Npy.read(out.resolve(second)).data()),
                    e.getKey() + ": the second class has its own map");
            expectedFiles.add(first);
            expectedFiles.add(second);
        }
        assertBadRows(byName);
        // No temporary file is left, and nothing but the maps.
        assertEquals(expectedFiles.stream().sorted().toList(), Fixtures.files(out));
    }

    @Test
    void returnsMapsAsArraysAndBadImagesAsRows() {
        // The same weights as a file: a local path every task reads (the JVM's cached explainer is keyed by it).
        BacklightExplainer explainer = explainer().setWeights(Fixtures.weightsFile().toString()).setReturnMap(true)
                .setDropInput(false).setMaxPixels(1_000_000);

        spark.sparkContext().setJobGroup("arrays", "maps as arrays", false);
        Dataset<Row> explained = explainer.transform(folder(2));
        List<Row> rows = explained.collectAsList();
        spark.sparkContext().clearJobGroup();

        StructType schema = explained.schema();
        assertEquals(DataTypes.BinaryType, schema.apply("content").dataType(), "the bytes are kept when asked");
        assertEquals(DataTypes.createArrayType(DataTypes.FloatType, false), schema.apply(BacklightExplainer.MAP).dataType());
        Map<String, Row> byName = byName(rows);
        for (Map.Entry<String, Fixtures.Reference> e : cli.entrySet()) {
            Row row = byName.get(e.getKey());
            assertNull(row.getAs(BacklightExplainer.MAP_PATH), "no output folder, no files");
            if (e.getKey().equals("lion.jpg")) {
                // 1280x960 = 1,228,800 pixels: over the limit, refused before decoding.
                String error = row.getAs(BacklightExplainer.ERROR);
                assertNotNull(error);
                assertTrue(error.contains("1280x960") && error.contains("setMaxPixels(1228800)"), error);
                assertTrue(row.isNullAt(row.fieldIndex(BacklightExplainer.MAP)));
                assertTrue(row.isNullAt(row.fieldIndex(BacklightExplainer.PREDICTED_CLASS)));
                continue;
            }
            assertNull(row.getAs(BacklightExplainer.ERROR), e.getKey());
            assertEquals(e.getValue().predictedClass(), (int) row.getAs(BacklightExplainer.PREDICTED_CLASS));
            List<Float> map = row.getList(row.fieldIndex(BacklightExplainer.MAP));
            float[] expected = e.getValue().map().data();
            assertEquals(expected.length, map.size());
            for (int i = 0; i < expected.length; i++) {
                if (Float.floatToIntBits(expected[i]) != Float.floatToIntBits(map.get(i))) {
                    throw new AssertionError(e.getKey() + ": map value " + i + " is " + map.get(i) + ", the CLI's " + expected[i]);
                }
            }
            assertTrue(((byte[]) row.getAs("content")).length > 0);
        }
        assertBadRows(byName);
        TestSpark.assertNoFailedTasks("arrays");
    }

    @Test
    void savesAndLoadsItsParameters() throws IOException {
        Path saved = Path.of("target", "spark-test-data", "saved-explainer").toAbsolutePath();
        Fixtures.deleteRecursively(saved);
        BacklightExplainer original = new BacklightExplainer().setInputCol("bytes").setPathCol("file").setWeights("w.safetensors")
                .setModel("densenet169").setMethod("smoothgrad", Map.of("samples", "8", "noise", "0.1")).setBackend("cuda")
                .setBatchSize(4).setTopK(3).setOutputDir("hdfs://nn/maps").setInputRoot("hdfs://nn/photos")
                .setPictures("heatmap", "overlay").setReturnMap(false).setDropInput(false).setMaxPixels(5_000_000);

        original.save(saved.toString());
        BacklightExplainer loaded = BacklightExplainer.load(saved.toString());

        assertEquals(original.uid(), loaded.uid());
        assertEquals("bytes", loaded.getInputCol());
        assertEquals("file", loaded.getPathCol());
        assertEquals("w.safetensors", loaded.getWeights());
        assertEquals("densenet169", loaded.getModel());
        assertEquals("smoothgrad", loaded.getMethod());
        assertEquals(Map.of("samples", "8", "noise", "0.1"), loaded.getMethodOptions());
        assertEquals("cuda", loaded.getBackend());
        assertEquals(4, loaded.getBatchSize());
        assertEquals(3, loaded.getTopK());
        assertEquals("hdfs://nn/maps", loaded.getOutputDir());
        assertEquals("hdfs://nn/photos", loaded.getInputRoot());
        assertArrayEquals(new String[] {"heatmap", "overlay"}, loaded.getPictures());
        assertFalse(loaded.getReturnMap());
        assertFalse(loaded.getDropInput());
        assertEquals(5_000_000L, loaded.getMaxPixels());
    }

    @Test
    void refusesBadSettingsBeforeAnyTaskRuns() {
        Dataset<Row> folder = spark.read().format("binaryFile").load(images.toString());
        Map<String, BacklightExplainer> bad = new HashMap<>();
        bad.put("set the weights", new BacklightExplainer().setReturnMap(true));
        bad.put("do not download", new BacklightExplainer().setWeights("pretrained").setReturnMap(true));
        bad.put("nowhere to go", explainer());
        bad.put("unknown attribution method", explainer().setReturnMap(true).setMethod("guided-backdrop"));
        bad.put("does not apply to method", explainer().setReturnMap(true).setMethodOption("samples", "3"));
        bad.put("must be an integer", explainer().setReturnMap(true).setMethod("smoothgrad", Map.of("samples", "many")));
        bad.put("no input column", explainer().setReturnMap(true).setInputCol("image"));
        bad.put("must hold the bytes", explainer().setReturnMap(true).setInputCol("path"));
        bad.put("for one class only", explainer().setReturnMap(true).setTopK(2));
        bad.put("set one (setOutputDir)", explainer().setReturnMap(true).setPictures("heatmap"));
        bad.put("unknown picture kind", explainer().setOutputDir("out").setPictures("sepia"));
        bad.put("unknown densenet", explainer().setReturnMap(true).setModel("resnet50"));
        for (Map.Entry<String, BacklightExplainer> e : bad.entrySet()) {
            IllegalArgumentException thrown = assertThrows(IllegalArgumentException.class, () -> e.getValue().transform(folder),
                    e.getKey());
            String message = thrown.getMessage().toLowerCase(java.util.Locale.ROOT);
            assertTrue(message.contains(e.getKey().toLowerCase(java.util.Locale.ROOT)),
                    "expected '" + e.getKey() + "' in: " + thrown.getMessage());
        }
        Dataset<Row> withError = folder.withColumn("error", org.apache.spark.sql.functions.lit("x"));
        IllegalArgumentException collision = assertThrows(IllegalArgumentException.class,
                () -> explainer().setReturnMap(true).transform(withError));
        assertTrue(collision.getMessage().contains("would overwrite"), collision.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new BacklightExplainer().setTopK(0));
        assertThrows(IllegalArgumentException.class, () -> new BacklightExplainer().setBatchSize(-1));
    }

    private static void assertBadRows(Map<String, Row> byName) {
        Row broken = byName.get(Fixtures.BROKEN);
        String error = broken.getAs(BacklightExplainer.ERROR);
        assertNotNull(error, "the truncated JPEG");
        assertTrue(error.contains(Fixtures.BROKEN) && (error.contains("truncated") || error.contains("cannot decode")), error);
        assertTrue(broken.isNullAt(broken.fieldIndex(BacklightExplainer.PREDICTED_CLASS)));
        assertTrue(broken.isNullAt(broken.fieldIndex(BacklightExplainer.MAP_PATH)));
        Row notes = byName.get(Fixtures.NOT_AN_IMAGE);
        String notImage = notes.getAs(BacklightExplainer.ERROR);
        assertNotNull(notImage, "the text file");
        assertTrue(notImage.contains("not in a recognised image format"), notImage);
    }

    /** Rows by their path relative to the image folder. */
    private static Map<String, Row> byName(List<Row> rows) {
        Map<String, Row> byName = new HashMap<>();
        String prefix = images.toUri().getPath();
        for (Row row : rows) {
            String path = java.net.URI.create(row.<String>getAs("path")).getPath();
            assertTrue(path.startsWith(prefix), path + " below " + prefix);
            byName.put(path.substring(prefix.length()), row);
        }
        return byName;
    }

    private static int[] pixels(Path png) throws IOException {
        BufferedImage image = ImageIO.read(png.toFile());
        return image.getRGB(0, 0, image.getWidth(), image.getHeight(), null, 0, image.getWidth());
    }

    private static Map<String, byte[]> contents(Path folder) throws IOException {
        Map<String, byte[]> contents = new HashMap<>();
        for (String file : Fixtures.files(folder)) {
            contents.put(file, Files.readAllBytes(folder.resolve(file)));
        }
        return contents;
    }

    private static void assertContentsEqual(Map<String, byte[]> expected, Map<String, byte[]> actual) {
        assertEquals(expected.keySet(), actual.keySet());
        for (String file : expected.keySet()) {
            assertArrayEquals(expected.get(file), actual.get(file), file);
        }
    }
}
