package dev.backlight.spark;

import dev.backlight.cli.Backlight;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine;

/**
 * A benchmark, not a test (docs/PERFORMANCE.md, "Spark"): images per second of
 * {@link BacklightExplainer} in {@code local[2]} against {@code backlight explain} on the same
 * folders, in the same JVM, interleaved round by round so that both sides see the same machine.
 *
 * <p>Each round runs, in an order that alternates between rounds, the CLI on a folder of N images
 * and on one of 2N, and the transformer on the same two folders. The cost of one more image, once
 * warm, is {@code (T(2N) - T(N)) / N}: fixed costs (the CLI compiling its model, Spark scheduling a
 * job) cancel. Round 0 is a warm-up (JIT, the executor's cached model) and is not reported. Both
 * sides write the raw map and a gray picture per image; the CLI also writes a small JSON report per
 * image.
 *
 * <p>Run: {@code java <the module's Surefire argLine> -Xmx6g -cp <test class path>
 * dev.backlight.spark.SparkVsCliBenchmark [N] [ROUNDS] [MODEL]} (defaults 8, 5, densenet201).
 */
public final class SparkVsCliBenchmark {
    private SparkVsCliBenchmark() {
    }

    /** Runs the benchmark and prints one line per round and a summary. */
    public static void main(String[] args) throws IOException {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 8;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        String model = args.length > 2 ? args[2] : "densenet201";
        Path work = Path.of("target", "spark-bench").toAbsolutePath();
        Fixtures.deleteRecursively(work);
        Path small = folder(work.resolve("images-" + n), n);
        Path large = folder(work.resolve("images-" + 2 * n), 2 * n);

        SparkSession spark = SparkSession.builder().master("local[2]").appName("backlight-spark-bench")
                .config("spark.ui.enabled", "false").getOrCreate();
        System.out.printf(Locale.ROOT, "%s, guided-backprop, cpu, random weights; N=%d and 2N=%d images; Java %s, heap %d MiB,"
                + " %d processors%n", model, n, 2 * n, Runtime.version(), Runtime.getRuntime().maxMemory() >> 20,
                Runtime.getRuntime().availableProcessors());
        System.out.println("round  cli N s  cli 2N s  spark N s  spark 2N s  cli ms/img  spark ms/img  spark/cli");
        List<double[]> results = new ArrayList<>();
        for (int round = 0; round <= rounds; round++) {
            double cliSmall;
            double cliLarge;
            double sparkSmall;
            double sparkLarge;
            if (round % 2 == 0) {
                cliSmall = cli(model, small, work.resolve("cli-out"));
                sparkSmall = spark(spark, model, small, work.resolve("spark-out"));
                cliLarge = cli(model, large, work.resolve("cli-out"));
                sparkLarge = spark(spark, model, large, work.resolve("spark-out"));
            } else {
                sparkSmall = spark(spark, model, small, work.resolve("spark-out"));
                cliSmall = cli(model, small, work.resolve("cli-out"));
                sparkLarge = spark(spark, model, large, work.resolve("spark-out"));
                cliLarge = cli(model, large, work.resolve("cli-out"));
            }
            double cliPerImage = (cliLarge - cliSmall) / n * 1000;
            double sparkPerImage = (sparkLarge - sparkSmall) / n * 1000;
            System.out.printf(Locale.ROOT, "%5s  %7.2f  %8.2f  %9.2f  %10.2f  %10.0f  %12.0f  %9.3f%n",
                    round == 0 ? "warm" : String.valueOf(round), cliSmall, cliLarge, sparkSmall, sparkLarge, cliPerImage,
                    sparkPerImage, sparkPerImage / cliPerImage);
            if (round > 0) {
                results.add(new double[] {cliPerImage, sparkPerImage, 2 * n / cliLarge, 2 * n / sparkLarge});
            }
        }
        double[] cli = results.stream().mapToDouble(r -> r[0]).sorted().toArray();
        double[] sparkCost = results.stream().mapToDouble(r -> r[1]).sorted().toArray();
        double[] ratios = results.stream().mapToDouble(r -> r[1] / r[0]).sorted().toArray();
        double[] cliRate = results.stream().mapToDouble(r -> r[2]).sorted().toArray();
        double[] sparkRate = results.stream().mapToDouble(r -> r[3]).sorted().toArray();
        System.out.printf(Locale.ROOT, "median ms per extra image: cli %.0f, spark %.0f; median spark/cli %.3f (range %.3f-%.3f)%n",
                median(cli), median(sparkCost), median(ratios), ratios[0], ratios[ratios.length - 1]);
        System.out.printf(Locale.ROOT, "median images/s over a whole run of 2N: cli %.2f, spark %.2f%n", median(cliRate),
                median(sparkRate));
        spark.stop();
    }

    private static double cli(String model, Path images, Path out) throws IOException {
        Fixtures.deleteRecursively(out);
        StringWriter text = new StringWriter();
        CommandLine command = Backlight.commandLine();
        command.setOut(new PrintWriter(text, true));
        command.setErr(new PrintWriter(text, true));
        long start = System.nanoTime();
        int status = command.execute("explain", "--model", model, "--weights", "random:0", "--backend", "cpu",
                "--save-raw", "--render", "gray", "--progress", "none", "--out", out.toString(), images.toString());
        double seconds = (System.nanoTime() - start) / 1e9;
        if (status != 0) {
            throw new IllegalStateException("backlight explain failed: " + text);
        }
        return seconds;
    }

    private static double spark(SparkSession spark, String model, Path images, Path out) throws IOException {
        Fixtures.deleteRecursively(out);
        long start = System.nanoTime();
        new BacklightExplainer().setWeights("random:0").setModel(model).setBackend("cpu").setOutputDir(out.toString())
                .setInputRoot(images.toString()).setPictures("gray")
                .transform(spark.read().format("binaryFile").load(images.toString()))
                .write().format("noop").mode("overwrite").save();
        return (System.nanoTime() - start) / 1e9;
    }

    /** {@code count} images: the shared photos, copied under numbered names. */
    private static Path folder(Path folder, int count) throws IOException {
        String[] photos = {"images/lion.jpg", "images/owl.jpg", "images/parrot.jpg", "images/grace_hopper.jpg"};
        Files.createDirectories(folder);
        for (int i = 0; i < count; i++) {
            String photo = photos[i % photos.length];
            Files.copy(Fixtures.shared(photo), folder.resolve(String.format(Locale.ROOT, "%03d-%s", i,
                    Path.of(photo).getFileName())));
        }
        return folder;
    }

    private static double median(double[] sorted) {
        int m = sorted.length / 2;
        return sorted.length % 2 == 1 ? sorted[m] : (sorted[m - 1] + sorted[m]) / 2;
    }
}
