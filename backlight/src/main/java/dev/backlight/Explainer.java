package dev.backlight;

import dev.backlight.api.BackendUnavailableException;
import dev.backlight.api.BacklightException;
import dev.backlight.api.InputFormatException;
import dev.backlight.api.Shape;
import dev.backlight.api.Tensor;
import dev.backlight.api.Weights;
import dev.backlight.api.backend.Backend;
import dev.backlight.api.internal.Failures;
import dev.backlight.api.backend.BackendOptions;
import dev.backlight.api.backend.BackendSelection;
import dev.backlight.api.backend.Backends;
import dev.backlight.api.backend.CompileOptions;
import dev.backlight.api.backend.ModelPool;
import dev.backlight.api.backend.Precision;
import dev.backlight.api.method.Attribution;
import dev.backlight.api.method.AttributionMethod;
import dev.backlight.api.method.Target;
import dev.backlight.densenet.DenseNet;
import dev.backlight.densenet.DenseNetConfig;
import dev.backlight.densenet.imagenet.ClassLabels;
import dev.backlight.densenet.imagenet.CropBox;
import dev.backlight.densenet.imagenet.ImageLoader;
import dev.backlight.densenet.imagenet.ImageNetPreprocessor;
import dev.backlight.densenet.pretrained.DownloadListener;
import dev.backlight.render.MapStyle;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;

/**
 * Explains what a DenseNet looks at: the one object an application needs. Made with
 * {@link #builder()}, it holds the model's weights, the backend and one compiled model per input
 * size (compiled on first use), and explains images given as files, pictures or tensors:
 *
 * <pre>{@code
 * try (Explainer explainer = Explainer.builder()
 *         .model("densenet201")            // the default; densenet121/161/169 too
 *         .randomWeights(0)                // or .weights(Path) or .pretrained() (the default)
 *         .method("guided-backprop")       // any method id, with options
 *         .backend("cpu")                  // the default is "auto"
 *         .build()) {
 *     Explanation e = explainer.explain(Path.of("lion.jpg"));       // the top-1 class
 *     e.top(5);                                                     // predictions
 *     e.savePicture(Path.of("lion.overlay.png"), "overlay");
 *     e.saveNpy(Path.of("lion.npy"));
 *     Explanation c = explainer.explain(Path.of("lion.jpg"), 291);  // a chosen class
 * }
 * }</pre>
 *
 * <p><b>Thread safety:</b> every method may be called from any number of threads at once; calls
 * share the compiled models through a {@link ModelPool} per input size (at most
 * {@link Builder#parallelModels(int)} models each, so concurrent calls beyond that wait). Building
 * loads the weights (downloading the pretrained ones into the cache the first time) and creates
 * the backend; {@link #close()} frees both. Using an explainer after closing it throws
 * {@link IllegalStateException}.
 *
 * <p><b>Backend choice:</b> {@code auto} takes the best available backend that can run every ReLU
 * rule of the method (a custom rule never lands on the CUDA backend, which runs only the built-in
 * ones); the system property {@code backlight.backend} and the environment variable
 * {@code BACKLIGHT_BACKEND} override {@code auto}. The compile options a method needs (Grad-CAM's
 * observed layer) are set here, not by the caller.
 */
public final class Explainer implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(Explainer.class.getName());

    private final DenseNetConfig model;
    private final WeightsSource weightsSource;
    private final Weights weights;
    private final AttributionMethod method;
    private final BackendSelection selection;
    private final Backend backend;
    private final CompileOptions compileOptions;
    private final ImageNetPreprocessor preprocessor;
    private final ClassLabels labels;
    private final MapStyle style;
    private final int batchSize;
    private final int parallelModels;
    private final long maxPixels;
    private final int background;
    private final boolean keepSource;
    private final Explanation.Context context;
    private final Map<List<Integer>, ModelPool> pools = new ConcurrentHashMap<>();
    private volatile boolean closed;

    private Explainer(Builder b, DenseNetConfig model, Weights weights, AttributionMethod method, BackendSelection selection,
                      Backend backend) {
        this.model = model;
        this.weightsSource = b.weights;
        this.weights = weights;
        this.method = method;
        this.selection = selection;
        this.backend = backend;
        this.compileOptions = new CompileOptions(method.observedNodes());
        this.preprocessor = b.preprocessor;
        this.labels = b.labels != null ? b.labels : ClassLabels.forClassCount(model.numClasses());
        this.style = b.style;
        this.batchSize = b.batchSize > 0 ? b.batchSize : BatchSizing.automatic(backend.name(), Runtime.getRuntime().maxMemory());
        this.parallelModels = b.parallelModels;
        this.maxPixels = b.maxPixels > 0 ? b.maxPixels : ImageLoader.defaultMaxPixels();
        this.background = b.background;
        this.keepSource = b.keepSource;
        String described = weightsSource instanceof WeightsSource.Pretrained ? WeightsSource.Pretrained.describe(model.name())
                : weightsSource.description();
        this.context = new Explanation.Context(labels, style, model.name(), described, weightsSource.warning(), this::picture);
    }

    /** A builder with the defaults: DenseNet-201, pretrained weights, Guided Backpropagation, backend {@code auto}. */
    public static Builder builder() {
        return new Builder();
    }

    // ---- explaining ----

    /**
     * Explains the top-1 class of an image file (JPEG, PNG, BMP, GIF, WebP, TIFF; EXIF orientation
     * applied, transparency on the background colour, preprocessed as torchvision's evaluation transform).
     *
     * @throws InputFormatException if the file cannot be read or decoded, or declares more pixels than the limit
     */
    public Explanation explain(Path image) {
        return explain(image, Target.top1());
    }

    /** Explains class {@code classIndex} of an image file; see {@link #explain(Path)}. */
    public Explanation explain(Path image, int classIndex) {
        return explain(image, Target.classes(classIndex));
    }

    /** Explains the {@code target} classes of an image file (e.g. {@link Target#topK(int)}); see {@link #explain(Path)}. */
    public Explanation explain(Path image, Target target) {
        return explain(prepare(image), target);
    }

    /** Explains the top-1 class of a picture (preprocessed as for files). */
    public Explanation explain(BufferedImage image) {
        return explain(image, Target.top1());
    }

    /** Explains class {@code classIndex} of a picture. */
    public Explanation explain(BufferedImage image, int classIndex) {
        return explain(image, Target.classes(classIndex));
    }

    /** Explains the {@code target} classes of a picture. */
    public Explanation explain(BufferedImage image, Target target) {
        return explain(prepare(image), target);
    }

    /**
     * Explains the top-1 class of one already normalised image, {@code [1, 3, H, W]} (H, W ≥ 32).
     *
     * @throws IllegalArgumentException if the tensor is not one image of three channels; use
     *     {@link #attribute} for batches
     */
    public Explanation explain(Tensor image) {
        return explain(image, Target.top1());
    }

    /** Explains the {@code target} classes of one normalised image; see {@link #explain(Tensor)}. */
    public Explanation explain(Tensor image, Target target) {
        Shape s = image.shape();
        if (s.rank() != 4 || s.dim(0) != 1 || s.dim(1) != 3) {
            throw new IllegalArgumentException("explain(Tensor) takes one normalised image [1, 3, H, W], got " + s
                    + "; give a batch to attribute(Tensor, Target)");
        }
        Attribution a = attribute(image, target);
        return new Explanation(a, null, image, context);
    }

    /** Explains the {@code target} classes of a prepared image. */
    public Explanation explain(PreparedImage image, Target target) {
        return explainBatch(List.of(image), target).get(0);
    }

    /**
     * Explains prepared images of one size, in batches of {@link #batchSize()}.
     *
     * @return one explanation per image, in order
     */
    public List<Explanation> explainBatch(List<PreparedImage> images, Target target) {
        Objects.requireNonNull(target, "target");
        List<Explanation> out = new ArrayList<>(images.size());
        for (int from = 0; from < images.size(); from += batchSize) {
            List<PreparedImage> chunk = images.subList(from, Math.min(images.size(), from + batchSize));
            Tensor pixels = Tensor.concat(chunk.stream().map(PreparedImage::pixels).toList());
            Attribution a = attribute(pixels, perChunk(target, from, chunk.size()));
            for (int i = 0; i < chunk.size(); i++) {
                out.add(new Explanation(slice(a, i, i + 1), chunk.get(i), chunk.get(i).pixels(), context));
            }
        }
        return out;
    }

    /**
     * Explains image files lazily, streaming them through the backend {@link #batchSize()} at a
     * time: only one batch of inputs and results is held at once, so any number of files can be
     * explained in bounded memory. A file that cannot be read gives a result with its error; the
     * others go on. The stream is sequential and ordered; close it or consume it fully.
     */
    public Stream<ExplanationResult> explainAll(List<Path> images, Target target) {
        Objects.requireNonNull(target, "target");
        Iterator<ExplanationResult> results = new Iterator<>() {
            private final Iterator<Path> paths = List.copyOf(images).iterator();
            private final Deque<ExplanationResult> ready = new ArrayDeque<>();

            @Override
            public boolean hasNext() {
                if (ready.isEmpty() && paths.hasNext()) {
                    nextBatch();
                }
                return !ready.isEmpty();
            }

            @Override
            public ExplanationResult next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                return ready.poll();
            }

            private void nextBatch() {
                List<Path> batch = new ArrayList<>();
                while (batch.size() < batchSize && paths.hasNext()) {
                    batch.add(paths.next());
                }
                ExplanationResult[] slots = new ExplanationResult[batch.size()];
                List<PreparedImage> prepared = new ArrayList<>();
                List<Integer> where = new ArrayList<>();
                for (int i = 0; i < batch.size(); i++) {
                    try {
                        prepared.add(prepare(batch.get(i)));
                        where.add(i);
                    } catch (BacklightException e) {
                        slots[i] = new ExplanationResult(batch.get(i), null, e);
                    }
                }
                if (!prepared.isEmpty()) {
                    List<Explanation> done = explainBatch(prepared, target);
                    for (int j = 0; j < done.size(); j++) {
                        slots[where.get(j)] = new ExplanationResult(batch.get(where.get(j)), done.get(j), null);
                    }
                }
                ready.addAll(Arrays.asList(slots));
            }
        };
        return StreamSupport.stream(Spliterators.spliterator(results, images.size(), Spliterator.ORDERED | Spliterator.NONNULL),
                false);
    }

    /**
     * The raw attribution of a batch of normalised images {@code [N, 3, H, W]}, run as one batch on
     * the model compiled for H×W: the lower-level result (logits and one map per target rank) that
     * explanations are made of.
     *
     * @throws IllegalArgumentException if the batch does not fit the model or a target class is out of range
     */
    public Attribution attribute(Tensor batch, Target target) {
        requireOpen();
        Shape s = batch.shape();
        if (s.rank() != 4 || s.dim(1) != 3 || s.dim(2) < 32 || s.dim(3) < 32) {
            throw new IllegalArgumentException("a batch of normalised images is [N, 3, H, W] with H, W >= 32, got " + s);
        }
        return pool(s.dim(2), s.dim(3)).attribute(method, batch, target);
    }

    /** The pool of models for {@code height}×{@code width} inputs, made on first use (its models compile lazily). */
    private ModelPool pool(int height, int width) {
        return pools.computeIfAbsent(List.of(height, width), size -> {
            requireOpen();
            LOG.log(System.Logger.Level.DEBUG, "compiling {0} for {1}x{2} input on {3}", model.name(), size.get(0),
                    size.get(1), backend.name());
            return new ModelPool(backend, DenseNet.build(model, size.get(0), size.get(1)), weights, compileOptions,
                    parallelModels);
        });
    }


    // ---- preparing ----

    /**
     * Decodes and preprocesses an image file: upright (EXIF orientation), transparency on the
     * background colour, resized and cropped as the preprocessing says (torchvision's evaluation
     * transform by default), normalised.
     * An image that declares more pixels than the limit is refused before it is decoded.
     *
     * @throws InputFormatException naming the file and why it cannot be used
     *     ({@link dev.backlight.densenet.imagenet.ImageTooLargeException} over the pixel limit)
     */
    public PreparedImage prepare(Path image) {
        BufferedImage decoded = ImageLoader.read(image, background, maxPixels);
        return prepare(image, decoded);
    }

    /**
     * Decodes and preprocesses an encoded image held in memory (the bytes of a JPEG, PNG, ... file,
     * as Spark's {@code binaryFile} source gives them) exactly as {@link #prepare(Path)} does for a
     * file: the same decoders, orientation, background, pixel limit and preprocessing, so the same
     * image gives the same pixels either way. The prepared image has no {@link PreparedImage#path()}.
     *
     * @param encoded the file's bytes; read, never changed
     * @param name how messages name the image, such as its path or URI
     * @throws InputFormatException naming the image and why it cannot be used
     *     ({@link dev.backlight.densenet.imagenet.ImageTooLargeException} over the pixel limit)
     */
    public PreparedImage prepare(byte[] encoded, String name) {
        Objects.requireNonNull(name, "name");
        BufferedImage decoded = ImageLoader.read(encoded, name, background, maxPixels);
        try {
            return prepare((Path) null, decoded);
        } catch (InputFormatException e) {
            throw new InputFormatException(name + ": " + e.getMessage(), e);
        }
    }

    /** Preprocesses a picture as {@link #prepare(Path)} does after decoding. */
    public PreparedImage prepare(BufferedImage image) {
        return prepare(null, image);
    }

    private PreparedImage prepare(Path path, BufferedImage image) {
        try {
            CropBox box = preprocessor.cropBox(image.getWidth(), image.getHeight());
            BufferedImage crop = preprocessor.resizeAndCrop(image);
            return new PreparedImage(path, crop, box, preprocessor.normalise(crop), keepSource ? image : null);
        } catch (IllegalArgumentException e) {
            throw new InputFormatException("cannot preprocess image" + (path == null ? "" : " " + path) + ": " + e.getMessage(), e);
        }
    }

    // ---- what it is ----

    /** The model, as the weights define it (class count). */
    public DenseNetConfig model() {
        return model;
    }

    /** The attribution method, configured. */
    public AttributionMethod method() {
        return method;
    }

    /** The backend's name, such as {@code cpu}. */
    public String backendName() {
        return backend.name();
    }

    /** How the backend was chosen, and why each other provider was or was not. */
    public BackendSelection backendSelection() {
        return selection;
    }

    /** Where the weights came from. */
    public WeightsSource weightsSource() {
        return weightsSource;
    }

    /** How reports name the weights: a file path, {@code random:SEED}, or the pretrained file's URL. */
    public String weightsDescription() {
        return context.weights();
    }

    /** The loaded weights (shared with the compiled models; do not change them). */
    public Weights weights() {
        return weights;
    }

    /** The names of the model's classes. */
    public ClassLabels labels() {
        return labels;
    }

    /** How pictures are drawn unless another style is given. */
    public MapStyle style() {
        return style;
    }

    /** How images are resized, cropped and normalised for the model. */
    public ImageNetPreprocessor preprocessing() {
        return preprocessor;
    }

    /** How many images run through the backend together. */
    public int batchSize() {
        return batchSize;
    }

    /** Frees the compiled models and the backend; idempotent. Calls in flight finish first. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        RuntimeException failure = null;
        for (ModelPool pool : pools.values()) {
            try {
                pool.close();
            } catch (RuntimeException e) {
                failure = Failures.add(failure, e);
            }
        }
        pools.clear();
        try {
            backend.close();
        } catch (RuntimeException e) {
            failure = Failures.add(failure, e);
        }
        if (failure != null) {
            throw failure;
        }
    }

    private void requireOpen() {
        if (closed) {
            throw new IllegalStateException("this Explainer is closed");
        }
    }

    /** The normalised input turned back into the picture it came from, rounded and clamped. */
    private BufferedImage picture(Tensor pixels) {
        int h = pixels.shape().dim(2);
        int w = pixels.shape().dim(3);
        int plane = h * w;
        float[] v = pixels.data();
        int[] rgb = new int[plane];
        for (int p = 0; p < plane; p++) {
            int colour = 0;
            for (int c = 0; c < 3; c++) {
                double unit = v[c * plane + p] * ImageNetPreprocessor.std(c) + ImageNetPreprocessor.mean(c);
                colour = colour << 8 | (int) Math.round(Math.max(0, Math.min(1, unit)) * 255);
            }
            rgb[p] = colour;
        }
        BufferedImage out = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        out.setRGB(0, 0, w, h, rgb, 0, w);
        return out;
    }

    /** The part of {@code target} that concerns images {@code [from, from + n)} of a longer list. */
    private static Target perChunk(Target target, int from, int n) {
        if (target instanceof Target.Classes c && c.perImageClasses().length > 1) {
            return Target.classes(Arrays.copyOfRange(c.perImageClasses(), from, from + n));
        }
        if (target instanceof Target.Ranked r) {
            return Target.ranked(Arrays.copyOfRange(r.classes(), from, from + n));
        }
        return target;
    }

    /** The images {@code [from, to)} of an attribution. */
    static Attribution slice(Attribution a, int from, int to) {
        if (from == 0 && to == a.batchSize()) {
            return a;
        }
        List<Tensor> maps = new ArrayList<>(a.perImage());
        for (Tensor m : a.maps()) {
            maps.add(m.slice(from, to));
        }
        Map<String, double[][]> diagnostics = new LinkedHashMap<>();
        a.diagnostics().forEach((name, values) -> diagnostics.put(name, Arrays.copyOfRange(values, from, to)));
        return new Attribution(a.method(), a.backend(), a.logits().slice(from, to), Arrays.copyOfRange(a.classes(), from, to),
                maps, diagnostics);
    }

    /**
     * Says what an {@link Explainer} is made of; {@link #build()} loads it. Not thread-safe. Every
     * setting has a default: DenseNet-201, pretrained weights, {@code guided-backprop}, backend
     * {@code auto}, every core, {@link MapStyle#defaults()}, a batch size chosen by backend and heap.
     */
    public static final class Builder {
        private DenseNetConfig model = DenseNetConfig.DENSENET201;
        private WeightsSource weights = WeightsSource.pretrained();
        private String methodId = "guided-backprop";
        private Map<String, String> methodOptions = Map.of();
        private AttributionMethod methodInstance;
        private String backend = "auto";
        private BackendOptions.Builder backendOptions = BackendOptions.builder();
        private MapStyle style = MapStyle.defaults();
        private ClassLabels labels;
        private ImageNetPreprocessor preprocessor = ImageNetPreprocessor.standard();
        private int batchSize;
        private int parallelModels = 1;
        private long maxPixels;
        private int background = ImageLoader.DEFAULT_BACKGROUND;
        private boolean keepSource;
        private DownloadListener downloadListener = DownloadListener.none();

        private Builder() {
        }

        /**
         * The architecture: {@code densenet121}, {@code densenet161}, {@code densenet169} or {@code densenet201} (default).
         *
         * @throws IllegalArgumentException for another name
         */
        public Builder model(String name) {
            this.model = DenseNetConfig.byName(Objects.requireNonNull(name, "name"));
            return this;
        }

        /** Any DenseNet (growth, blocks, widths); the class count and epsilon come from the weights file when one is given. */
        public Builder model(DenseNetConfig config) {
            this.model = Objects.requireNonNull(config, "config");
            return this;
        }

        /** The model's pretrained weights, downloaded once into the cache (the default; DenseNet-201 has them built in). */
        public Builder pretrained() {
            this.weights = WeightsSource.pretrained();
            return this;
        }

        /** Weights from a file (safetensors with torchvision's state-dict names). */
        public Builder weights(Path file) {
            this.weights = WeightsSource.file(file);
            return this;
        }

        /** Weights from a source ({@link WeightsSource#parse(String)} reads the command line's forms). */
        public Builder weights(WeightsSource source) {
            this.weights = Objects.requireNonNull(source, "source");
            return this;
        }

        /** Seeded random weights: they exercise everything, explain nothing, and every picture says so. */
        public Builder randomWeights(long seed) {
            this.weights = WeightsSource.random(seed);
            return this;
        }

        /** The attribution method by id ({@link dev.backlight.api.method.AttributionMethods#ids()}), with default settings. */
        public Builder method(String id) {
            return method(id, Map.of());
        }

        /** The attribution method by id, with options by name (see {@link MethodConfig}). */
        public Builder method(String id, Map<String, String> options) {
            this.methodId = Objects.requireNonNull(id, "id");
            this.methodOptions = Map.copyOf(options);
            this.methodInstance = null;
            return this;
        }

        /** A configured method object (an extension's, say). */
        public Builder method(AttributionMethod method) {
            this.methodInstance = Objects.requireNonNull(method, "method");
            return this;
        }

        /** The backend by name ({@code cpu}, {@code cuda}) or {@code auto} (the default). */
        public Builder backend(String name) {
            this.backend = Objects.requireNonNull(name, "name");
            return this;
        }

        /** Worker threads for CPU work; 0 (the default) for one per core. */
        public Builder threads(int threads) {
            backendOptions.threads(threads);
            return this;
        }

        /** The GPU (or other accelerator) to run on, by index. */
        public Builder device(int index) {
            backendOptions.device(index);
            return this;
        }

        /** The arithmetic: {@link Precision#FP32} (the default) or {@link Precision#TF32} (CUDA only). */
        public Builder precision(Precision precision) {
            backendOptions.precision(precision);
            return this;
        }

        /** All backend options at once (replaces threads, device and precision set before). */
        public Builder backendOptions(BackendOptions options) {
            this.backendOptions = options.toBuilder();
            return this;
        }

        /** How pictures are drawn by default. */
        public Builder style(MapStyle style) {
            this.style = Objects.requireNonNull(style, "style");
            return this;
        }

        /**
         * The names of the model's classes (default: ImageNet's for 1000 classes, else {@code class N});
         * checked against the model's class count when the explainer is built.
         */
        public Builder labels(ClassLabels labels) {
            this.labels = Objects.requireNonNull(labels, "labels");
            return this;
        }

        /**
         * The names of the model's classes from a file: one label a line, a JSON list, or a JSON
         * {@code {"index": "label"}} map (see {@link ClassLabels#read(Path)}).
         *
         * @throws dev.backlight.densenet.imagenet.LabelsFormatException if the file cannot be read as labels
         */
        public Builder labels(Path file) {
            return labels(ClassLabels.read(file));
        }

        /**
         * How images are prepared for the model: {@code torchvision} (the default: shorter side to 256,
         * centre crop 224, for torchvision's and timm's weights) or {@code keras} (the whole image to
         * 224×224, nearest, as Keras' {@code load_img} does, for Keras weights).
         *
         * @throws IllegalArgumentException for another name
         */
        public Builder preprocessing(String name) {
            this.preprocessor = ImageNetPreprocessor.byName(name);
            return this;
        }

        /** Images per batch through the backend; 0 (the default) chooses by backend and heap. */
        public Builder batchSize(int size) {
            if (size < 0) {
                throw new IllegalArgumentException("batch size must be 0 (automatic) or positive, got " + size);
            }
            this.batchSize = size;
            return this;
        }

        /** Compiled models per input size that calls from several threads may use at once (default 1). */
        public Builder parallelModels(int n) {
            if (n < 1) {
                throw new IllegalArgumentException("parallelModels must be at least 1, got " + n);
            }
            this.parallelModels = n;
            return this;
        }

        /** The most pixels an image file may declare before it is refused undecoded (default 100 million). */
        public Builder maxPixels(long pixels) {
            if (pixels < 1) {
                throw new IllegalArgumentException("the pixel limit must be positive, got " + pixels);
            }
            this.maxPixels = pixels;
            return this;
        }

        /** The colour under transparent pixels, {@code 0xRRGGBB} (default white). */
        public Builder background(int rgb) {
            this.background = rgb & 0xFFFFFF;
            return this;
        }

        /** Whether prepared images keep the whole source picture, to place maps on it (default false: it costs memory). */
        public Builder keepSourceImages(boolean keep) {
            this.keepSource = keep;
            return this;
        }

        /** Hears the progress of a pretrained-weights download. */
        public Builder downloadListener(DownloadListener listener) {
            this.downloadListener = Objects.requireNonNull(listener, "listener");
            return this;
        }

        /**
         * Loads the weights, configures the method, selects and creates the backend.
         *
         * @throws IllegalArgumentException for an unknown model or method, or a bad method option
         * @throws dev.backlight.api.WeightsFormatException if the weights cannot be read or do not fit the model
         * @throws BackendUnavailableException if no backend can run the method here
         * @throws BacklightException if pretrained weights cannot be downloaded
         */
        public Explainer build() {
            DenseNetConfig config = model;
            AttributionMethod method = methodInstance != null ? methodInstance
                    : MethodConfig.configure(methodId, methodOptions,
                    DenseNet.build(config, preprocessor.crop(), preprocessor.crop()));
            BackendSelection selection = Backends.select(backend, method.rules());
            // The backend first: a backend that starts work of its own (the CPU backend's JIT warm-up)
            // does it while the weights are read.
            Backend created = selection.create(backendOptions.build());
            try {
                WeightsSource.Loaded loaded = weights.load(config, downloadListener);
                LOG.log(System.Logger.Level.DEBUG, "explainer: {0} with weights {1}, method {2}, backend {3} ({4})",
                        loaded.model().name(), weights.description(), method.id(), created.name(), selection.how());
                if (labels != null) {
                    ClassLabels.requireClassCount(labels, loaded.model().numClasses());
                }
                return new Explainer(this, loaded.model(), loaded.weights(), method, selection, created);
            } catch (RuntimeException e) {
                created.close();
                throw e;
            }
        }
    }
}
