package dev.backlight.bench;

import dev.backlight.WeightsSource;
import dev.backlight.api.Tensor;
import dev.backlight.api.Weights;
import dev.backlight.api.backend.Backend;
import dev.backlight.api.backend.BackendOptions;
import dev.backlight.api.backend.Backends;
import dev.backlight.api.backend.CompiledModel;
import dev.backlight.api.graph.Graph;
import dev.backlight.api.method.Attribution;
import dev.backlight.api.method.AttributionMethod;
import dev.backlight.api.method.AttributionMethods;
import dev.backlight.api.method.Target;
import dev.backlight.densenet.DenseNet;
import dev.backlight.densenet.DenseNetConfig;
import dev.backlight.densenet.imagenet.ImageLoader;
import dev.backlight.densenet.imagenet.ImageNetPreprocessor;
import dev.backlight.densenet.pretrained.DownloadListener;
import dev.backlight.render.MapPictures;
import dev.backlight.render.MapStyle;
import dev.backlight.render.PictureKind;
import dev.backlight.render.PngFiles;
import java.awt.image.BufferedImage;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;

/**
 * Where the time to a first map goes, for one photo in a fresh JVM: the steps of the quick start
 * ({@code backlight explain --weights random photo.jpg}) made one by one with the library's lower
 * layers and timed: JVM start (uptime when {@code main} runs), decoding and preprocessing, weights,
 * backend and compile, the first attribution (which includes the JIT's work on the kernels), a second
 * one (warm, for comparison), and writing the overlay PNG. {@code -Dbacklight.bench.warmup=true}
 * turns on the CPU backend's JIT warm-up as {@code backlight explain} does. Not a test;
 * {@code bench/first-map.sh} runs it beside the quick start and PyTorch's one-shot script.
 *
 * <p>Usage: {@code FirstMapPhases PHOTO OUT.png [WEIGHTS]} (WEIGHTS as {@code --weights}; default random).
 */
public final class FirstMapPhases {
    private FirstMapPhases() {
    }

    /** Runs the steps and prints one line of timings in seconds. */
    public static void main(String[] args) {
        double jvm = ManagementFactory.getRuntimeMXBean().getUptime() / 1e3;
        long t = System.nanoTime();
        Path photo = Path.of(args[0]);
        Path out = Path.of(args[1]);
        ImageNetPreprocessor pre = ImageNetPreprocessor.standard();
        BufferedImage crop = pre.resizeAndCrop(ImageLoader.read(photo));
        Tensor input = pre.normalise(crop);
        double decode = lap(t);
        t = System.nanoTime();
        // As the facade does: the backend first (with the CLI's JIT warm-up when asked), then the weights.
        String warmUp = System.getProperty("backlight.bench.warmup", "false");
        Backend backend = Backends.select("cpu").create(BackendOptions.builder().property("cpu.warmup", warmUp).build());
        double backendTime = lap(t);
        t = System.nanoTime();
        DenseNetConfig config = DenseNetConfig.DENSENET201;
        WeightsSource.Loaded loaded = WeightsSource.parse(args.length > 2 ? args[2] : "random").load(config, DownloadListener.none());
        Weights weights = loaded.weights();
        double weightsTime = lap(t) + backendTime;
        t = System.nanoTime();
        Graph graph = DenseNet.build(loaded.model(), 224, 224);
        AttributionMethod method = AttributionMethods.byId("guided-backprop");
        double compile;
        double first;
        double second;
        double write;
        try (backend; CompiledModel model = backend.compile(graph, weights)) {
            compile = lap(t);
            t = System.nanoTime();
            Attribution a = method.attribute(model, input, Target.top1());
            first = lap(t);
            t = System.nanoTime();
            PngFiles.write(out, MapPictures.draw(PictureKind.OVERLAY, a.map(0), 0, MapStyle.defaults(), crop), Map.of());
            write = lap(t);
            t = System.nanoTime();
            method.attribute(model, input, Target.top1());
            second = lap(t);
        }
        System.out.println(String.format(Locale.ROOT, "jvm_start %.2f decode %.2f weights %.2f compile %.2f first_attribution %.2f"
                + " write %.2f total %.2f (a second, warm attribution %.2f)", jvm, decode, weightsTime, compile, first, write,
                jvm + decode + weightsTime + compile + first + write, second));
    }

    private static double lap(long start) {
        return (System.nanoTime() - start) / 1e9;
    }
}
