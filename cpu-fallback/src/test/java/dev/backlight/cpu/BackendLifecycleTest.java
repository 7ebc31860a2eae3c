package dev.backlight.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.backlight.api.Shape;
import dev.backlight.api.Tensor;
import dev.backlight.api.Weights;
import dev.backlight.api.WeightsFormatException;
import dev.backlight.api.backend.CompiledModel;
import dev.backlight.api.graph.Graph;
import dev.backlight.conformance.Numerics;
import dev.backlight.densenet.DenseNet;
import dev.backlight.densenet.DenseNetConfig;
import dev.backlight.densenet.RandomWeights;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.Test;

/** Closing a backend closes and reports its open models and ends its threads; compile refuses bad weights. */
class BackendLifecycleTest {
    private static final DenseNetConfig SMALL = new DenseNetConfig("small", 8, new int[] {2, 3}, 16, 2, 12, 1e-5f);
    private static final Graph GRAPH = DenseNet.build(SMALL, 32, 32);
    private static final Weights WEIGHTS = RandomWeights.generate(GRAPH, 41);

    @Test
    void closeReportsAndClosesTheModelsLeftOpen() {
        // Without a System.LoggerFinder on the class path the JDK logs through java.util.logging.
        String finder = System.LoggerFinder.getLoggerFinder().getClass().getName();
        assumeTrue(finder.equals("sun.util.logging.internal.LoggingProviderImpl"),
                "System.Logger is not backed by java.util.logging here but by " + finder);
        Logger jul = Logger.getLogger(CpuBackend.class.getName());
        List<LogRecord> records = new ArrayList<>();
        Handler capture = new Handler() {
            @Override
            public void publish(LogRecord record) {
                records.add(record);
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        jul.addHandler(capture);
        try {
            CpuBackend backend = new CpuBackend(2);
            CompiledModel closedByCaller = backend.compile(GRAPH, WEIGHTS);
            CompiledModel leftOpen1 = backend.compile(GRAPH, WEIGHTS);
            CompiledModel leftOpen2 = backend.compile(GRAPH, WEIGHTS);
            closedByCaller.close();
            leftOpen1.forward(Numerics.gaussian(Shape.of(1, 3, 32, 32), 1));

            backend.close();

            assertEquals(1, records.size(), String.valueOf(records));
            assertEquals(Level.WARNING, records.get(0).getLevel());
            String message = records.get(0).getMessage();
            assertTrue(message.contains("2 compiled models were still open and are closed now"), message);
            assertTrue(message.contains("try-with-resources"), message);
            for (CompiledModel m : List.of(leftOpen1, leftOpen2)) {
                IllegalStateException e = assertThrows(IllegalStateException.class,
                        () -> m.forward(Numerics.gaussian(Shape.of(1, 3, 32, 32), 2)));
                assertTrue(e.getMessage().contains("closed"), e.getMessage());
            }

            backend.close(); // idempotent, and silent the second time
            try (CpuBackend tidy = new CpuBackend(1); CompiledModel m = tidy.compile(GRAPH, WEIGHTS)) {
                m.forward(Numerics.gaussian(Shape.of(1, 3, 32, 32), 3));
            }
            assertEquals(1, records.size(), "a backend whose models were all closed reports nothing: " + records);
        } finally {
            jul.removeHandler(capture);
        }
    }

    @Test
    void noWorkerThreadOutlivesClose() {
        CpuBackend backend = new CpuBackend(3);
        String prefix = backend.threadNamePrefix();
        try (CompiledModel m = backend.compile(GRAPH, WEIGHTS)) {
            m.forward(Numerics.gaussian(Shape.of(4, 3, 32, 32), 4)); // enough work to start every worker
        }
        assertTrue(liveThreads(prefix) >= 1, "the forward pass started no worker named " + prefix + "*");

        backend.close();

        assertEquals(0, liveThreads(prefix), "worker threads alive after close: " + prefix + "*");
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> backend.compile(GRAPH, WEIGHTS));
        assertTrue(e.getMessage().contains("closed"), e.getMessage());
    }

    @Test
    void eachBackendNamesItsThreadsApart() {
        try (CpuBackend a = new CpuBackend(2); CpuBackend b = new CpuBackend(2)) {
            assertTrue(a.threadNamePrefix().startsWith(Workers.THREAD_PREFIX), a.threadNamePrefix());
            assertTrue(!a.threadNamePrefix().equals(b.threadNamePrefix()), a.threadNamePrefix());
        }
    }

    @Test
    void compileRefusesNonFiniteWeightsNamingTheTensor() {
        Map<String, Tensor> tensors = new LinkedHashMap<>(WEIGHTS.asMap());
        float[] conv = tensors.get("features.denseblock2.denselayer1.conv1.weight").data().clone();
        conv[5] = Float.NaN;
        conv[9] = Float.NEGATIVE_INFINITY;
        tensors.put("features.denseblock2.denselayer1.conv1.weight",
                Tensor.of(tensors.get("features.denseblock2.denselayer1.conv1.weight").shape(), conv));
        try (CpuBackend backend = new CpuBackend(1)) {
            WeightsFormatException e = assertThrows(WeightsFormatException.class,
                    () -> backend.compile(GRAPH, Weights.of(tensors, "broken.safetensors")));
            assertTrue(e.getMessage().contains("weights broken.safetensors cannot be compiled into small: tensor"
                    + " 'features.denseblock2.denselayer1.conv1.weight': 2 non-finite (1 NaN, 0 +Inf, 1 -Inf;"
                    + " the first at flat index 5)"), e.getMessage());
        }
    }

    @Test
    void compileRefusesANegativeRunningVarianceNamingTheTensor() {
        Map<String, Tensor> tensors = new LinkedHashMap<>(WEIGHTS.asMap());
        float[] var = tensors.get("features.norm5.running_var").data().clone();
        var[3] = -0.5f;
        tensors.put("features.norm5.running_var", Tensor.of(Shape.of(var.length), var));
        try (CpuBackend backend = new CpuBackend(1)) {
            WeightsFormatException e = assertThrows(WeightsFormatException.class,
                    () -> backend.compile(GRAPH, Weights.of(tensors, "w")));
            assertTrue(e.getMessage().contains("running variance 'features.norm5.running_var' is negative in 1 channel"
                    + " (the first, channel 3, holds -0.5)"), e.getMessage());
        }
    }

    private static long liveThreads(String prefix) {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().startsWith(prefix) && t.isAlive()).count();
    }
}
