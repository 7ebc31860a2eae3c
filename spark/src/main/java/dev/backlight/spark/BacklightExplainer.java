package dev.backlight.spark;

import dev.backlight.MethodConfig;
import dev.backlight.api.method.AttributionMethods;
import dev.backlight.densenet.DenseNet;
import dev.backlight.densenet.DenseNetConfig;
import dev.backlight.densenet.imagenet.ImageLoader;
import dev.backlight.densenet.imagenet.ImageNetPreprocessor;
import dev.backlight.render.PictureKind;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.spark.SparkConf;
import org.apache.spark.SparkContext;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.ml.Transformer;
import org.apache.spark.ml.param.BooleanParam;
import org.apache.spark.ml.param.IntParam;
import org.apache.spark.ml.param.LongParam;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.param.ParamValidators;
import org.apache.spark.ml.param.StringArrayParam;
import org.apache.spark.ml.util.DefaultParamsReader;
import org.apache.spark.ml.util.DefaultParamsWritable;
import org.apache.spark.ml.util.Identifiable;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * Explains every image of a DataFrame with Backlight: a Spark ML {@link Transformer} that appends
 * each image's prediction and writes its attribution map, one output row per input row.
 *
 * <pre>{@code
 * Dataset<Row> images = spark.read().format("binaryFile").load("hdfs://nn/photos");
 * Dataset<Row> explained = new BacklightExplainer()
 *         .setWeights("densenet201.safetensors")        // shipped with spark-submit --files
 *         .setMethod("guided-backprop")
 *         .setOutputDir("hdfs://nn/maps")
 *         .transform(images);
 * explained.write().parquet("hdfs://nn/maps/index.parquet");
 * }</pre>
 *
 * <p><b>Input:</b> a binary column of encoded image files ({@link #setInputCol}, default
 * {@value #DEFAULT_INPUT_COL}) and a string column with each file's path ({@link #setPathCol},
 * default {@value #DEFAULT_PATH_COL}), as Spark's {@code binaryFile} source gives them. Images are
 * decoded by Backlight's own decoder (JPEG with CMYK and EXIF orientation, PNG, BMP, GIF, WebP,
 * TIFF; the pixel limit checked from the header before decoding) and preprocessed as torchvision
 * does, exactly as the {@code backlight} command does: the same file and weights give the same
 * class and the same map.
 *
 * <p><b>Output:</b> the input columns (the bytes column dropped unless {@link #setDropInput} says
 * otherwise) followed by {@value #PREDICTED_CLASS} (int), {@value #PREDICTED_LABEL} (string),
 * {@value #PROBABILITY} (double, softmax), {@value #MAP_PATH} (string: the raw map's {@code .npy}
 * file, float32 {@code [1, 3, 224, 224]}), {@value #MAP} ({@code array<float>}, the same map
 * flattened in C order; only with {@link #setReturnMap}), with {@link #setTopK} K &gt; 1 also
 * {@value #TOP_CLASSES}, {@value #TOP_LABELS}, {@value #TOP_PROBABILITIES} and
 * {@value #MAP_PATHS} (one per explained class, best first), and {@value #ERROR} (string, null when
 * the row is fine). An image that cannot be used (corrupt, truncated, not an image, over the pixel
 * limit) gives a row whose {@value #ERROR} says why, with nulls in the other appended columns; it
 * never fails the task. Failures that are not about one row (weights that cannot be read, no usable
 * backend, an output folder that cannot be written) fail the task as they should.
 *
 * <p><b>Files:</b> below {@link #setOutputDir} (a local or shared path, or any Hadoop file system
 * URI), named after the input's path: its folders (below {@link #setInputRoot} if set) and file
 * name, then the method: {@code photos/cat.jpg.guided-backprop.npy}, with {@link #setPictures}
 * also {@code photos/cat.jpg.guided-backprop.heatmap.png}. Each file is written under a hidden
 * temporary name and renamed into place, so retried tasks and speculative copies leave complete,
 * identical files.
 *
 * <p><b>Models:</b> each executor JVM loads the weights and builds the backend once per
 * configuration and shares them among its tasks and later jobs ({@link ExecutorModels}); nothing
 * is broadcast. The weights ({@link #setWeights}) are read on the executors: a file shipped with
 * {@code spark-submit --files} (named by its file name), a path every executor can read, a URI of
 * a shared file system, or {@code random[:SEED]} for seeded random weights. Each task runs with as
 * many CPU threads as Spark gives it ({@code spark.task.cpus}) and on the GPU Spark assigns it
 * ({@code spark.task.resource.gpu.amount}); rows are explained {@link #setBatchSize} at a time.
 *
 * <p>Parameters follow Spark ML's conventions (public parameter methods, setters returning this,
 * {@link #save}/{@link #load}). A transformer is not thread-safe while being configured; once
 * configured, {@link #transform} may be called from any thread.
 */
public final class BacklightExplainer extends Transformer implements DefaultParamsWritable {
    private static final long serialVersionUID = 1L;
    private static final System.Logger LOG = System.getLogger(BacklightExplainer.class.getName());

    /** The default image bytes column, as Spark's {@code binaryFile} source names it. */
    public static final String DEFAULT_INPUT_COL = "content";
    /** The default path column, as Spark's {@code binaryFile} source names it. */
    public static final String DEFAULT_PATH_COL = "path";
    /** The explained class: the top-1 class (int). */
    public static final String PREDICTED_CLASS = "predicted_class";
    /** The explained class's label (string). */
    public static final String PREDICTED_LABEL = "predicted_label";
    /** The explained class's softmax probability (double). */
    public static final String PROBABILITY = "probability";
    /** Where the raw map of the explained class was written, or null when no output folder is set (string). */
    public static final String MAP_PATH = "map_path";
    /** The raw map, {@code [3, 224, 224]} flattened in C order ({@code array<float>}; with {@link #setReturnMap}). */
    public static final String MAP = "map";
    /** The K most probable classes, best first ({@code array<int>}; with {@link #setTopK} K &gt; 1). */
    public static final String TOP_CLASSES = "top_classes";
    /** Their labels ({@code array<string>}; with K &gt; 1). */
    public static final String TOP_LABELS = "top_labels";
    /** Their probabilities ({@code array<double>}; with K &gt; 1). */
    public static final String TOP_PROBABILITIES = "top_probabilities";
    /** Where the map of each of the K classes was written ({@code array<string>}; with K &gt; 1 and an output folder). */
    public static final String MAP_PATHS = "map_paths";
    /** Why the row could not be explained, or null (string). */
    public static final String ERROR = "error";

    private static final Pattern LOCAL_MASTER = Pattern.compile("local(?:\\[(\\*|\\d+)(?:,\\s*\\d+)?])?");
    private static final Pattern LOCAL_CLUSTER = Pattern.compile("local-cluster\\[\\s*\\d+\\s*,\\s*(\\d+)\\s*,.*]");

    private final String uid;
    private final Param<String> inputCol;
    private final Param<String> pathCol;
    private final Param<String> weights;
    private final Param<String> model;
    private final Param<String> method;
    private final StringArrayParam methodOptions;
    private final Param<String> backend;
    private final IntParam batchSize;
    private final IntParam topK;
    private final Param<String> outputDir;
    private final Param<String> inputRoot;
    private final StringArrayParam pictures;
    private final BooleanParam returnMap;
    private final BooleanParam dropInput;
    private final LongParam maxPixels;

    /** A transformer with a random uid and the defaults. */
    public BacklightExplainer() {
        this(Identifiable.randomUID("backlightExplainer"));
    }

    /** A transformer with the given uid and the defaults (Spark ML's loader uses this constructor). */
    public BacklightExplainer(String uid) {
        // Params are made here, after the uid: Spark checks that each belongs to this uid.
        this.uid = Objects.requireNonNull(uid, "uid");
        inputCol = new Param<>(this, "inputCol", "the column of encoded image files (binary)");
        pathCol = new Param<>(this, "pathCol", "the column of each image's path (string): output names and messages");
        weights = new Param<>(this, "weights", "the model's weights, read on each executor: a file shipped with"
                + " --files (its name), a path every executor can read, a Hadoop file system URI, or random[:SEED]");
        model = new Param<>(this, "model", "the architecture: densenet121, densenet161, densenet169 or densenet201");
        method = new Param<>(this, "method", "the attribution method's id, such as guided-backprop, gradient, deconvnet");
        methodOptions = new StringArrayParam(this, "methodOptions", "the method's options as name=value");
        backend = new Param<>(this, "backend", "the backend: auto, cpu or cuda");
        batchSize = new IntParam(this, "batchSize", "images per pass through the model, 0 for automatic",
                ParamValidators.gtEq(0));
        topK = new IntParam(this, "topK", "how many of the most probable classes to explain, one map each",
                ParamValidators.gtEq(1));
        outputDir = new Param<>(this, "outputDir", "the folder maps are written to (a path or Hadoop file system URI)");
        inputRoot = new Param<>(this, "inputRoot", "the folder whose layout output names mirror; empty for the whole path");
        pictures = new StringArrayParam(this, "pictures", "pictures written beside each map: gray, heatmap, overlay, rgb");
        returnMap = new BooleanParam(this, "returnMap", "whether to return each map as an array<float> column");
        dropInput = new BooleanParam(this, "dropInput", "whether to drop the image bytes column from the output");
        maxPixels = new LongParam(this, "maxPixels", "the most pixels an image may declare; larger ones are error rows",
                ParamValidators.gtEq(1));
        setDefault(inputCol, DEFAULT_INPUT_COL);
        setDefault(pathCol, DEFAULT_PATH_COL);
        setDefault(model, "densenet201");
        setDefault(method, "guided-backprop");
        setDefault(methodOptions, new String[0]);
        setDefault(backend, "auto");
        setDefault(batchSize, 0);
        setDefault(topK, 1);
        setDefault(inputRoot, "");
        setDefault(pictures, new String[0]);
        setDefault(returnMap, false);
        setDefault(dropInput, true);
        setDefault(maxPixels, ImageLoader.DEFAULT_MAX_PIXELS);
    }

    @Override
    public String uid() {
        return uid;
    }

    // ---- parameters (public no-argument methods: Spark ML finds them by reflection) ----

    /** The column of encoded image files (binary); default {@value #DEFAULT_INPUT_COL}. */
    public Param<String> inputCol() {
        return inputCol;
    }

    /** The column of each image's path (string); default {@value #DEFAULT_PATH_COL}. */
    public Param<String> pathCol() {
        return pathCol;
    }

    /** The weights, read on each executor; no default. */
    public Param<String> weights() {
        return weights;
    }

    /** The architecture; default {@code densenet201}. */
    public Param<String> model() {
        return model;
    }

    /** The attribution method's id; default {@code guided-backprop}. */
    public Param<String> method() {
        return method;
    }

    /** The method's options as {@code name=value}; default none. */
    public StringArrayParam methodOptions() {
        return methodOptions;
    }

    /** The backend; default {@code auto}. */
    public Param<String> backend() {
        return backend;
    }

    /** Images per pass; default 0 (automatic). */
    public IntParam batchSize() {
        return batchSize;
    }

    /** How many classes to explain; default 1. */
    public IntParam topK() {
        return topK;
    }

    /** Where maps are written; no default. */
    public Param<String> outputDir() {
        return outputDir;
    }

    /** The folder output names mirror; default empty (the whole path). */
    public Param<String> inputRoot() {
        return inputRoot;
    }

    /** Picture kinds written beside each map; default none. */
    public StringArrayParam pictures() {
        return pictures;
    }

    /** Whether maps are returned as a column; default false. */
    public BooleanParam returnMap() {
        return returnMap;
    }

    /** Whether the bytes column is dropped; default true. */
    public BooleanParam dropInput() {
        return dropInput;
    }

    /** The pixel limit; default 100,000,000. */
    public LongParam maxPixels() {
        return maxPixels;
    }

    // ---- setters ----

    /** The column of encoded image files (binary); default {@value #DEFAULT_INPUT_COL}, as {@code binaryFile} names it. */
    public BacklightExplainer setInputCol(String column) {
        set(inputCol, column);
        return this;
    }

    /**
     * The column of each image's path (string); default {@value #DEFAULT_PATH_COL}, as
     * {@code binaryFile} names it. Output files are named after it; messages name the image by it.
     */
    public BacklightExplainer setPathCol(String column) {
        set(pathCol, column);
        return this;
    }

    /**
     * The model's weights, in any format the library reads, found on each executor: the file name of
     * a file shipped with {@code spark-submit --files}, a path every executor can read (or a
     * {@code file:} URI), the URI of a Hadoop file system ({@code hdfs://}, {@code s3a://}, ...;
     * copied once per executor), or {@code random[:SEED]} (seeded random weights: the pipeline runs,
     * the maps mean nothing). Executors never download the pretrained weights: download them once
     * and ship them.
     */
    public BacklightExplainer setWeights(String weights) {
        set(this.weights, weights);
        return this;
    }

    /** The architecture: {@code densenet121}, {@code densenet161}, {@code densenet169} or {@code densenet201} (default). */
    public BacklightExplainer setModel(String model) {
        set(this.model, model);
        return this;
    }

    /** The attribution method by id ({@code guided-backprop}, the default; {@code gradient}, {@code smoothgrad}, ...). */
    public BacklightExplainer setMethod(String id) {
        set(method, id);
        return this;
    }

    /** The attribution method by id with its options (replacing any set before); see {@link #setMethodOptions}. */
    public BacklightExplainer setMethod(String id, Map<String, String> options) {
        setMethod(id);
        return setMethodOptions(options);
    }

    /**
     * The method's options by name, as {@code backlight explain} takes them ({@code samples},
     * {@code noise}, {@code steps}, {@code baseline}, {@code layer}, ...; see
     * {@link dev.backlight.MethodConfig}), replacing any set before. An option that does not apply
     * to the method is refused by {@link #transform}.
     */
    public BacklightExplainer setMethodOptions(Map<String, String> options) {
        List<String> pairs = new ArrayList<>();
        new java.util.TreeMap<>(options).forEach((name, value) -> pairs.add(pair(name, value)));
        set(methodOptions, pairs.toArray(String[]::new));
        return this;
    }

    /** Sets one method option, keeping the others. */
    public BacklightExplainer setMethodOption(String name, String value) {
        Map<String, String> options = getMethodOptions();
        options.put(name, value);
        return setMethodOptions(options);
    }

    /** The backend: {@code auto} (default: CUDA where usable, else the CPU), {@code cpu} or {@code cuda}. */
    public BacklightExplainer setBackend(String backend) {
        set(this.backend, backend);
        return this;
    }

    /**
     * Images per pass through the model, per task; 0 (the default) chooses: on the CPU what fits in
     * half the executor's heap shared by its task slots at about 160 MiB per image, at most 16; on a
     * GPU 32.
     */
    public BacklightExplainer setBatchSize(int size) {
        set(batchSize, size);
        return this;
    }

    /** How many of the most probable classes to explain, one map each, best first; default 1. */
    public BacklightExplainer setTopK(int k) {
        set(topK, k);
        return this;
    }

    /**
     * The folder the maps are written to: a local path (a mount every executor shares, on a
     * cluster), a {@code file:} URI, or a Hadoop file system URI ({@code hdfs://}, {@code s3a://}, ...).
     * Without it, maps are only returned with {@link #setReturnMap}.
     */
    public BacklightExplainer setOutputDir(String folder) {
        set(outputDir, folder);
        return this;
    }

    /**
     * The folder whose layout the output names mirror: an input {@code <root>/a/b.jpg} writes
     * {@code <outputDir>/a/b.jpg.<method>.npy}. Default empty: the input's whole path (without scheme
     * and host) is mirrored. An input outside the root is an error row.
     */
    public BacklightExplainer setInputRoot(String folder) {
        set(inputRoot, folder);
        return this;
    }

    /** Pictures written as PNG beside each map: any of {@code gray}, {@code heatmap}, {@code overlay}, {@code rgb}; default none. */
    public BacklightExplainer setPictures(String... kinds) {
        set(pictures, kinds.clone());
        return this;
    }

    /** Whether each map is also returned in the {@value #MAP} column ({@code array<float>}, 150,528 values a row): for small jobs. */
    public BacklightExplainer setReturnMap(boolean value) {
        set(returnMap, value);
        return this;
    }

    /** Whether the image bytes column is dropped from the output; default true. */
    public BacklightExplainer setDropInput(boolean value) {
        set(dropInput, value);
        return this;
    }

    /** The most pixels (width × height) an image may declare; larger images are error rows, undecoded. Default 100 million. */
    public BacklightExplainer setMaxPixels(long pixels) {
        set(maxPixels, pixels);
        return this;
    }

    // ---- getters ----

    /** See {@link #setInputCol}. */
    public String getInputCol() {
        return $(inputCol);
    }

    /** See {@link #setPathCol}. */
    public String getPathCol() {
        return $(pathCol);
    }

    /** See {@link #setWeights}; null when not set. */
    public String getWeights() {
        return isDefined(weights) ? $(weights) : null;
    }

    /** See {@link #setModel}. */
    public String getModel() {
        return $(model);
    }

    /** See {@link #setMethod(String)}. */
    public String getMethod() {
        return $(method);
    }

    /** See {@link #setMethodOptions}; a new modifiable map. */
    public Map<String, String> getMethodOptions() {
        Map<String, String> options = new LinkedHashMap<>();
        for (String pair : $(methodOptions)) {
            int eq = pair.indexOf('=');
            options.put(pair.substring(0, eq), pair.substring(eq + 1));
        }
        return options;
    }

    /** See {@link #setBackend}. */
    public String getBackend() {
        return $(backend);
    }

    /** See {@link #setBatchSize}. */
    public int getBatchSize() {
        return (Integer) $(batchSize);
    }

    /** See {@link #setTopK}. */
    public int getTopK() {
        return (Integer) $(topK);
    }

    /** See {@link #setOutputDir}; null when not set. */
    public String getOutputDir() {
        return isDefined(outputDir) ? $(outputDir) : null;
    }

    /** See {@link #setInputRoot}. */
    public String getInputRoot() {
        return $(inputRoot);
    }

    /** See {@link #setPictures}. */
    public String[] getPictures() {
        return $(pictures).clone();
    }

    /** See {@link #setReturnMap}. */
    public boolean getReturnMap() {
        return (Boolean) $(returnMap);
    }

    /** See {@link #setDropInput}. */
    public boolean getDropInput() {
        return (Boolean) $(dropInput);
    }

    /** See {@link #setMaxPixels}. */
    public long getMaxPixels() {
        return (Long) $(maxPixels);
    }

    // ---- transforming ----

    /**
     * Checks the settings and the input's columns and gives the output's: the input columns (less
     * the bytes column unless kept), then the appended ones.
     *
     * @throws IllegalArgumentException naming what is wrong: a missing or mistyped column, a column
     *     that would be overwritten, an unknown model, method, option or picture kind, weights not
     *     set, or nowhere for the maps to go
     */
    @Override
    public StructType transformSchema(StructType schema) {
        checkSettings();
        StructField input = field(schema, getInputCol(), "input");
        if (!input.dataType().equals(DataTypes.BinaryType)) {
            throw new IllegalArgumentException("the input column " + getInputCol() + " holds " + input.dataType().simpleString()
                    + "; it must hold the bytes of image files (binary), as spark.read().format(\"binaryFile\") gives");
        }
        List<String> names = Arrays.asList(schema.fieldNames());
        if (names.contains(getPathCol())) {
            DataType type = schema.apply(getPathCol()).dataType();
            if (!type.equals(DataTypes.StringType)) {
                throw new IllegalArgumentException("the path column " + getPathCol() + " holds " + type.simpleString()
                        + "; it must hold strings");
            }
        } else if (getOutputDir() != null) {
            throw new IllegalArgumentException("there is no path column " + getPathCol() + " (columns: " + names
                    + "): output files are named after it; set the path column (setPathCol) or return maps as arrays"
                    + " (setReturnMap) without an output folder");
        }
        List<StructField> fields = new ArrayList<>();
        for (StructField f : schema.fields()) {
            if (!(getDropInput() && f.name().equals(getInputCol()))) {
                fields.add(f);
            }
        }
        for (StructField added : OutputColumns.added(getReturnMap(), getTopK())) {
            for (StructField f : fields) {
                if (f.name().equalsIgnoreCase(added.name())) {
                    throw new IllegalArgumentException("the input already has a column " + f.name()
                            + ", which the output would overwrite; rename or drop it first");
                }
            }
        }
        fields.addAll(OutputColumns.added(getReturnMap(), getTopK()));
        return DataTypes.createStructType(fields);
    }

    /**
     * Explains every row: lazily, partition by partition, on the executors. The result has one row
     * per input row, in the input's order within each partition; see the class description.
     *
     * @throws IllegalArgumentException as {@link #transformSchema}
     */
    @Override
    public Dataset<Row> transform(Dataset<?> dataset) {
        StructType in = dataset.schema();
        StructType out = transformSchema(in, true);
        SparkContext sc = dataset.sparkSession().sparkContext();
        List<String> names = Arrays.asList(in.fieldNames());
        int inputIndex = names.indexOf(getInputCol());
        int pathIndex = names.indexOf(getPathCol());
        int[] kept = java.util.stream.IntStream.range(0, names.size())
                .filter(i -> !(getDropInput() && i == inputIndex)).toArray();
        String outputFolder = getOutputDir();
        boolean needsHadoop = ExecutorWeights.needsHadoop(getWeights())
                || outputFolder != null && ExecutorWeights.scheme(outputFolder) != null
                && !ExecutorWeights.scheme(outputFolder).equals("file");
        Broadcast<HadoopConf> hadoop = needsHadoop
                ? JavaSparkContext.fromSparkContext(sc).broadcast(new HadoopConf(sc.hadoopConfiguration())) : null;
        int cores = executorCores(sc.getConf(), sc.master());
        ExplainSettings settings = new ExplainSettings(inputIndex, pathIndex, kept, getWeights().trim(), getModel(),
                getMethod(), getMethodOptions(), getBackend(), getBatchSize(), getTopK(), outputFolder,
                getInputRoot().isBlank() ? null : getInputRoot(), List.of(getPictures()), getReturnMap(), getMaxPixels(),
                cores, hadoop);
        LOG.log(System.Logger.Level.DEBUG, "explaining with {0} {1} on {2}, weights {3}, executor cores {4}", getModel(),
                getMethod(), getBackend(), getWeights(), cores == 0 ? "unknown" : cores);
        return dataset.toDF().mapPartitions(new ExplainPartition(settings), Encoders.row(out));
    }

    @Override
    public BacklightExplainer copy(ParamMap extra) {
        return defaultCopy(extra);
    }

    /** Spark ML's reader of saved transformers ({@link #save}). */
    public static MLReader<BacklightExplainer> read() {
        return new DefaultParamsReader<>();
    }

    /** Loads a transformer saved with {@link #save}. */
    public static BacklightExplainer load(String path) {
        return read().load(path);
    }

    // ---- checks ----

    private void checkSettings() {
        String w = getWeights();
        if (w == null || w.isBlank()) {
            throw new IllegalArgumentException("set the weights (setWeights): a weights file shipped with spark-submit"
                    + " --files (its file name), a path or URI every executor can read, or random[:SEED]");
        }
        if (w.trim().equalsIgnoreCase("pretrained")) {
            throw new IllegalArgumentException("executors do not download pretrained weights: download the file once"
                    + " (see the README), ship it with spark-submit --files FILE and setWeights(its file name)");
        }
        if (w.trim().startsWith("random:") && !ExecutorWeights.isRandom(w)) {
            throw new IllegalArgumentException("weights '" + w + "': the seed after 'random:' must be an integer, such as random:42");
        }
        if (getOutputDir() == null && !getReturnMap()) {
            throw new IllegalArgumentException("the maps have nowhere to go: set an output folder (setOutputDir) or"
                    + " return them as arrays (setReturnMap(true))");
        }
        if (getOutputDir() != null && getOutputDir().isBlank()) {
            throw new IllegalArgumentException("the output folder is blank; give a path or URI");
        }
        if (getReturnMap() && getTopK() > 1) {
            throw new IllegalArgumentException("maps are returned as arrays for one class only (top-k " + getTopK()
                    + "); with several classes write them to files (setOutputDir)");
        }
        if (getPictures().length > 0 && getOutputDir() == null) {
            throw new IllegalArgumentException("pictures " + Arrays.toString(getPictures())
                    + " are written to the output folder; set one (setOutputDir)");
        }
        for (String kind : getPictures()) {
            PictureKind.byId(kind);
        }
        if (getBackend().isBlank()) {
            throw new IllegalArgumentException("the backend is blank; give auto, cpu or cuda");
        }
        DenseNetConfig config = DenseNetConfig.byName(getModel());
        if (getTopK() > config.numClasses()) {
            throw new IllegalArgumentException("top-k " + getTopK() + " is more than the " + config.numClasses()
                    + " classes of " + config.name());
        }
        AttributionMethods.byId(getMethod());
        // Options are checked as the executors will apply them, so that a mistake fails here, not in every task.
        MethodConfig.configure(getMethod(), getMethodOptions(),
                DenseNet.build(config, ImageNetPreprocessor.DEFAULT_CROP, ImageNetPreprocessor.DEFAULT_CROP));
    }

    private static StructField field(StructType schema, String name, String role) {
        for (StructField f : schema.fields()) {
            if (f.name().equals(name)) {
                return f;
            }
        }
        throw new IllegalArgumentException("there is no " + role + " column " + name + " (columns: "
                + Arrays.toString(schema.fieldNames()) + "); read images with spark.read().format(\"binaryFile\") or"
                + " name the column with setInputCol");
    }

    private static String pair(String name, String value) {
        Objects.requireNonNull(name, "option name");
        Objects.requireNonNull(value, "value of option " + name);
        if (name.isBlank() || name.contains("=")) {
            throw new IllegalArgumentException("a method option name must be non-blank and without '=', got '" + name + "'");
        }
        return name.trim() + "=" + value;
    }

    /**
     * The cores of one executor as the driver can tell: {@code spark.executor.cores}, the thread
     * count of a {@code local[N]} master, the cores per worker of {@code local-cluster}; 0 if unknown
     * (then each executor counts its own processors).
     */
    static int executorCores(SparkConf conf, String master) {
        if (conf.contains("spark.executor.cores")) {
            return Math.max(0, conf.getInt("spark.executor.cores", 0));
        }
        Matcher local = LOCAL_MASTER.matcher(master.trim());
        if (local.matches()) {
            String n = local.group(1);
            return n == null ? 1 : n.equals("*") ? Runtime.getRuntime().availableProcessors() : Integer.parseInt(n);
        }
        Matcher cluster = LOCAL_CLUSTER.matcher(master.trim());
        if (cluster.matches()) {
            return Integer.parseInt(cluster.group(1));
        }
        return 0;
    }
}
