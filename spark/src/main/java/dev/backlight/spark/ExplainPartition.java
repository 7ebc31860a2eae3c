package dev.backlight.spark;

import dev.backlight.Explainer;
import dev.backlight.Explanation;
import dev.backlight.PreparedImage;
import dev.backlight.api.InputFormatException;
import dev.backlight.api.method.Target;
import dev.backlight.densenet.imagenet.ImageNetPreprocessor;
import dev.backlight.densenet.imagenet.ImageTooLargeException;
import dev.backlight.densenet.imagenet.Prediction;
import dev.backlight.render.PictureKind;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.NoSuchElementException;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.resource.ResourceInformation;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.util.TaskCompletionListener;

/**
 * Explains one partition's rows, lazily: rows are read a batch at a time as the output is consumed,
 * so a partition is never held whole. Each batch is decoded (a bad image becomes an error row at
 * once), run through the executor's shared explainer as one batch, written to the output folder and
 * returned in input order.
 */
final class ExplainPartition implements MapPartitionsFunction<Row, Row> {
    private static final long serialVersionUID = 1L;
    /** Heap per 224×224 image in a CPU batch (DenseNet-201; the facade's own automatic sizing uses the same figure). */
    static final long CPU_BYTES_PER_IMAGE = 160L << 20;
    /** The largest automatic CPU batch: larger ones do not run faster on a CPU. */
    static final int CPU_MAX_BATCH = 16;

    private final ExplainSettings settings;

    ExplainPartition(ExplainSettings settings) {
        this.settings = settings;
    }

    @Override
    public Iterator<Row> call(Iterator<Row> rows) {
        return new Rows(settings, rows, TaskContext.get());
    }

    /** The task slots of an executor: its cores over the CPUs each task takes. */
    static int slots(int executorCores, int taskCpus) {
        int cores = executorCores > 0 ? executorCores : Runtime.getRuntime().availableProcessors();
        return Math.max(1, cores / Math.max(1, taskCpus));
    }

    /** The automatic CPU batch: what fits in half the heap shared by every task slot, 1 to {@value #CPU_MAX_BATCH}. */
    static int automaticCpuBatch(long maxHeap, int slots) {
        long fits = maxHeap / 2 / slots / CPU_BYTES_PER_IMAGE;
        return (int) Math.max(1, Math.min(CPU_MAX_BATCH, fits));
    }

    /** The lazily explained rows of one partition. */
    private static final class Rows implements Iterator<Row> {
        private final ExplainSettings s;
        private final Iterator<Row> input;
        private final TaskContext task;
        private final Deque<Row> ready = new ArrayDeque<>();
        private final List<PictureKind> pictures;
        private ModelRegistry<ModelKey, Explainer>.Lease lease;
        private OutputStore store;
        private int batch;
        private long rowNumber;
        private boolean finished;

        Rows(ExplainSettings settings, Iterator<Row> input, TaskContext task) {
            this.s = settings;
            this.input = input;
            this.task = task;
            this.pictures = settings.pictures().stream().map(PictureKind::byId).toList();
            if (task != null) {
                task.addTaskCompletionListener((TaskCompletionListener) context -> release());
            }
        }

        @Override
        public boolean hasNext() {
            while (ready.isEmpty() && !finished) {
                if (input.hasNext()) {
                    nextBatch();
                } else {
                    finished = true;
                    if (task == null) {
                        release();
                    }
                }
            }
            return !ready.isEmpty();
        }

        @Override
        public Row next() {
            if (!hasNext()) {
                throw new NoSuchElementException();
            }
            return ready.poll();
        }

        private void nextBatch() {
            Explainer explainer = explainer();
            List<Row> rows = new ArrayList<>(batch);
            while (rows.size() < batch && input.hasNext()) {
                rows.add(input.next());
            }
            Object[][] added = new Object[rows.size()][];
            String[] bases = new String[rows.size()];
            List<PreparedImage> prepared = new ArrayList<>();
            List<Integer> where = new ArrayList<>();
            for (int i = 0; i < rows.size(); i++) {
                Row row = rows.get(i);
                String path = s.pathIndex() >= 0 && !row.isNullAt(s.pathIndex()) ? row.getString(s.pathIndex()) : null;
                String name = path != null ? path : "row " + rowNumber + " of partition " + (task == null ? 0 : task.partitionId());
                rowNumber++;
                try {
                    Object content = row.get(s.inputIndex());
                    if (!(content instanceof byte[] bytes)) {
                        throw new InputFormatException(name + " has no image bytes (the column is null)");
                    }
                    if (s.outputDir() != null) {
                        bases[i] = MapNames.base(path, s.inputRoot());
                    }
                    prepared.add(explainer.prepare(bytes, name));
                    where.add(i);
                } catch (ImageTooLargeException e) {
                    added[i] = failure(String.format(Locale.ROOT, "%s declares a %dx%d image (%,d pixels), more than the"
                            + " limit of %,d pixels, and was not decoded (a guard against decompression bombs); if you"
                            + " trust it, raise the limit with setMaxPixels(%d)", name, e.width(), e.height(), e.pixels(),
                            e.limit(), e.pixels()));
                } catch (InputFormatException e) {
                    added[i] = failure(e.getMessage());
                }
            }
            if (!prepared.isEmpty()) {
                List<Explanation> done = explainer.explainBatch(prepared, Target.topK(s.topK()));
                for (int j = 0; j < done.size(); j++) {
                    int i = where.get(j);
                    added[i] = success(explainer, done.get(j), bases[i]);
                }
            }
            for (int i = 0; i < rows.size(); i++) {
                ready.add(output(rows.get(i), added[i]));
            }
        }

        /** The executor's explainer for these settings, leased for the rest of the task. */
        private Explainer explainer() {
            if (lease == null) {
                int cpus = task == null ? 1 : task.cpus();
                int slots = slots(s.executorCores(), cpus);
                Configuration hadoop = s.hadoop() == null ? null : s.hadoop().value().get();
                ExecutorWeights.Resolved weights = ExecutorWeights.resolve(s.weights(), hadoop);
                ModelKey key = new ModelKey(weights.identity(), weights.file() == null ? null : weights.file().toString(),
                        weights.seed(), s.model(), ImageNetPreprocessor.DEFAULT_CROP, s.method(), s.methodOptions(),
                        s.backend(), gpu(), cpus, s.batchSize(), s.maxPixels(), slots);
                lease = ExecutorModels.acquire(key);
                Explainer explainer = lease.value();
                batch = s.batchSize() > 0 ? s.batchSize()
                        : explainer.backendName().equals("cpu") ? automaticCpuBatch(Runtime.getRuntime().maxMemory(), slots)
                        : explainer.batchSize();
                if (s.outputDir() != null) {
                    store = OutputStore.open(s.outputDir(), hadoop, task == null ? 0 : task.taskAttemptId());
                }
            }
            return lease.value();
        }

        /** The GPU Spark gave this task ({@code spark.task.resource.gpu.amount}), or -1. */
        private int gpu() {
            if (task == null || s.backend().equals("cpu")) {
                return -1;
            }
            ResourceInformation gpus = task.resourcesJMap().get("gpu");
            if (gpus == null || gpus.addresses().length == 0) {
                return -1;
            }
            try {
                return Integer.parseInt(gpus.addresses()[0].trim());
            } catch (NumberFormatException e) {
                throw new IllegalStateException("the GPU address Spark gave this task, " + gpus.addresses()[0]
                        + ", is not a device index; check the GPU discovery script", e);
            }
        }

        private Object[] success(Explainer explainer, Explanation e, String base) {
            List<Prediction> top = e.top(s.topK());
            Prediction first = top.get(0);
            int ranks = s.topK();
            List<String> mapPaths = new ArrayList<>(ranks);
            if (store != null) {
                for (int r = 0; r < ranks; r++) {
                    int rank = r;
                    mapPaths.add(store.write(MapNames.npy(base, e.method(), r, ranks), file -> e.saveNpy(file, rank)));
                    for (PictureKind kind : pictures) {
                        store.write(MapNames.picture(base, e.method(), r, ranks, kind),
                                file -> e.savePicture(file, kind, rank, explainer.style()));
                    }
                }
            }
            List<Object> values = new ArrayList<>();
            values.add(e.targetClass());
            values.add(e.targetLabel());
            values.add(probability(top, e.targetClass()));
            values.add(mapPaths.isEmpty() ? null : mapPaths.get(0));
            if (s.returnMap()) {
                values.add(e.map().data());
            }
            if (ranks > 1) {
                values.add(top.stream().map(Prediction::classIndex).toArray(Integer[]::new));
                values.add(top.stream().map(Prediction::label).toArray(String[]::new));
                values.add(top.stream().map(Prediction::probability).toArray(Double[]::new));
                values.add(mapPaths.isEmpty() ? null : mapPaths.toArray(String[]::new));
            }
            values.add(null);
            return values.toArray();
        }

        private static double probability(List<Prediction> top, int classIndex) {
            for (Prediction p : top) {
                if (p.classIndex() == classIndex) {
                    return p.probability();
                }
            }
            throw new IllegalStateException("class " + classIndex + " is explained but not among the top classes " + top);
        }

        private Object[] failure(String message) {
            int columns = OutputColumns.added(s.returnMap(), s.topK()).size();
            Object[] values = new Object[columns];
            values[columns - 1] = message;
            return values;
        }

        private Row output(Row in, Object[] added) {
            int[] kept = s.kept();
            Object[] values = new Object[kept.length + added.length];
            for (int k = 0; k < kept.length; k++) {
                values[k] = in.get(kept[k]);
            }
            System.arraycopy(added, 0, values, kept.length, added.length);
            return RowFactory.create(values);
        }

        private void release() {
            try {
                if (store != null) {
                    store.close();
                    store = null;
                }
            } finally {
                if (lease != null) {
                    lease.close();
                    lease = null;
                }
            }
        }
    }
}
