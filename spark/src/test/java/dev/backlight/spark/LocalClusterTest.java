package dev.backlight.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.backlight.api.io.Npy;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * A real multi-JVM run with Maven alone: {@code spark-submit} (the {@code SparkSubmit} class, started
 * as its own process) runs {@link ClusterApp} on a {@code local-cluster[2,1,1024]} master, a
 * standalone cluster whose two executors are separate JVMs, with the module's jar as the
 * application jar and Backlight's dependencies passed with {@code --jars}, as on a real cluster.
 * Spark finds its own jars in a {@code SPARK_HOME} laid out here as a distribution ({@code jars/}
 * and a {@code RELEASE} file), from the class path Maven resolved.
 *
 * <p>It checks what local mode cannot: that the classes, the service files and TwelveMonkeys' image
 * readers (the CMYK JPEG) work from the application's class loader on an executor, that weights
 * shipped with {@code --files} are found by their name, that each executor JVM builds its model
 * once for all its partitions, and that maps made there equal the CLI's.
 *
 * <p>It starts three JVMs and took 55-125 s on the shared 2-core build machine, more than the
 * module's test budget allows, so it runs only when asked:
 * {@code mvn -pl spark test -Dbacklight.spark.localCluster=true}.
 */
class LocalClusterTest {
    /** Generous for two executor JVMs on a loaded 2-core machine; the run took 45-125 s. */
    private static final long TIMEOUT_SECONDS = 240;

    @Test
    void twoExecutorJvmsEachBuildOneModelAndGiveTheClisMaps() throws IOException, InterruptedException {
        assumeTrue(Boolean.getBoolean("backlight.spark.localCluster"), "the local-cluster run takes a minute or two and runs only"
                + " when asked: -Dbacklight.spark.localCluster=true");
        Path images = Fixtures.images();
        Map<String, Fixtures.Reference> cli = Fixtures.cli();
        Path weights = Fixtures.weightsFile();
        Path work = Path.of("target", "spark-test-data", "local-cluster").toAbsolutePath();
        Fixtures.deleteRecursively(work);
        Path sparkHome = sparkHome(work.resolve("spark-home"));
        Path appJar = applicationJar(work.resolve("backlight-spark-app.jar"));
        Path out = work.resolve("maps");
        Path result = work.resolve("result.tsv");
        Path log = work.resolve("spark-submit.log");
        Path logConfig = Path.of("target", "test-classes", "log4j2-test.properties").toAbsolutePath();

        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        for (String option : System.getProperty("backlight.spark.argLine", "").trim().split("\\s+")) {
            if (!option.isEmpty()) {
                command.add(option); // the module flags Spark needs in a JVM it did not start
            }
        }
        command.add("-Xmx768m"); // the driver only collects a few rows
        command.add("-Dlog4j2.configurationFile=" + logConfig.toUri());
        command.addAll(List.of("-cp", sparkHome.resolve("jars") + "/*", "org.apache.spark.deploy.SparkSubmit",
                "--master", "local-cluster[2,1,1024]",
                "--conf", "spark.ui.enabled=false",
                // Wait for both executors before the first task, so that the work is spread.
                "--conf", "spark.scheduler.minRegisteredResourcesRatio=1.0",
                "--conf", "spark.executor.extraJavaOptions=-Dlog4j2.configurationFile=" + logConfig.toUri(),
                "--class", ClusterApp.class.getName(),
                "--jars", String.join(",", classpath("application.txt")),
                // Shipped to every executor; the application names it by its file name (SparkFiles).
                "--files", weights.toString(),
                appJar.toString(), images.toString(), out.toString(), result.toString(),
                weights.getFileName().toString()));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
        builder.environment().put("SPARK_HOME", sparkHome.toString());
        builder.environment().put("SPARK_LOCAL_IP", "127.0.0.1");
        builder.environment().put("SPARK_SCALA_VERSION", "2.13");
        Process submit = builder.start();
        if (!submit.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
            submit.descendants().forEach(ProcessHandle::destroyForcibly);
            submit.destroyForcibly();
            fail("spark-submit did not finish within " + TIMEOUT_SECONDS + " s; its log:\n" + tail(log));
        }
        assertEquals(0, submit.exitValue(), "spark-submit failed; its log:\n" + tail(log));

        Map<String, String[]> rows = new TreeMap<>();
        String prefix = images.toUri().getPath();
        for (String line : Files.readAllLines(result)) {
            String[] f = line.split("\t", -1);
            rows.put(URI.create(f[0]).getPath().substring(prefix.length()), f);
        }
        assertEquals(Fixtures.GOOD.size() + 2, rows.size(), "one row per file: " + rows.keySet());
        Map<Long, Long> buildsByExecutor = new HashMap<>();
        for (String[] f : rows.values()) {
            buildsByExecutor.merge(Long.parseLong(f[4]), Long.parseLong(f[5]), Math::max);
        }
        assertTrue(buildsByExecutor.size() >= 2, "the partitions should have run on two executor JVMs: " + buildsByExecutor);
        assertTrue(!buildsByExecutor.containsKey(ProcessHandle.current().pid()), "executors are other processes");
        for (Map.Entry<Long, Long> e : buildsByExecutor.entrySet()) {
            assertEquals(1L, e.getValue(), "models built by executor JVM " + e.getKey() + " for all its partitions");
        }
        for (Map.Entry<String, Fixtures.Reference> e : cli.entrySet()) {
            String[] f = rows.get(e.getKey());
            assertEquals("null", f[3], e.getKey() + ": error");
            assertEquals(e.getValue().predictedClass(), Integer.parseInt(f[1]), e.getKey());
            assertArrayEquals(e.getValue().map().data(), Npy.read(Path.of(f[2])).data(), e.getKey() + ": map, bit for bit");
        }
        assertTrue(rows.get(Fixtures.BROKEN)[3].contains("truncated") || rows.get(Fixtures.BROKEN)[3].contains("cannot decode"),
                rows.get(Fixtures.BROKEN)[3]);
        assertTrue(rows.get(Fixtures.NOT_AN_IMAGE)[3].contains("not in a recognised image format"));
    }

    /** A folder laid out as a Spark distribution: {@code jars/} holding Spark's jars (links), and {@code RELEASE}. */
    private static Path sparkHome(Path home) throws IOException {
        Path jars = Files.createDirectories(home.resolve("jars"));
        for (String jar : classpath("spark.txt")) {
            Path file = Path.of(jar);
            Files.createSymbolicLink(jars.resolve(file.getFileName()), file);
        }
        Files.writeString(home.resolve("RELEASE"), "Spark (test layout made by LocalClusterTest from Maven's class path)\n");
        return home;
    }

    /** The module's classes and the test application, as one jar: the application jar a user submits. */
    private static Path applicationJar(Path jar) throws IOException {
        Path classes = Path.of("target", "classes");
        Path testClasses = Path.of("target", "test-classes");
        try (OutputStream file = Files.newOutputStream(jar); JarOutputStream out = new JarOutputStream(file)) {
            add(out, classes, p -> true);
            add(out, testClasses, p -> p.getFileName().toString().startsWith("ClusterApp")
                    || p.getFileName().toString().startsWith("Fixtures"));
        }
        return jar;
    }

    private static void add(JarOutputStream out, Path root, java.util.function.Predicate<Path> include) throws IOException {
        try (Stream<Path> files = Files.walk(root)) {
            for (Path p : files.filter(Files::isRegularFile).filter(include).sorted().toList()) {
                out.putNextEntry(new JarEntry(root.relativize(p).toString().replace('\\', '/')));
                out.write(Files.readAllBytes(p));
                out.closeEntry();
            }
        }
    }

    /** A class path Maven wrote for this test (see the module's POM), as a list of jars. */
    private static List<String> classpath(String name) throws IOException {
        String folder = System.getProperty("backlight.spark.classpaths", "target/classpaths");
        String text = Files.readString(Path.of(folder, name), StandardCharsets.UTF_8).trim();
        List<String> jars = new ArrayList<>();
        for (String entry : text.split(java.io.File.pathSeparator)) {
            if (entry.endsWith(".jar")) {
                jars.add(entry);
            }
        }
        if (jars.isEmpty()) {
            fail("the class path " + name + " in " + folder + " is empty");
        }
        return jars;
    }

    private static String tail(Path log) throws IOException {
        List<String> lines = Files.exists(log) ? Files.readAllLines(log) : List.of("(no log)");
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 80), lines.size()));
    }
}
