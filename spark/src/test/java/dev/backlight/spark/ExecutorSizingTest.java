package dev.backlight.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.apache.spark.SparkConf;
import org.junit.jupiter.api.Test;

/** How many cores, task slots and images per batch an executor gets, from the driver's configuration. */
class ExecutorSizingTest {
    @Test
    void executorCoresComeFromTheConfigurationOrTheMaster() {
        SparkConf conf = new SparkConf(false);
        int machine = Runtime.getRuntime().availableProcessors();
        assertEquals(1, BacklightExplainer.executorCores(conf, "local"));
        assertEquals(3, BacklightExplainer.executorCores(conf, "local[3]"));
        assertEquals(2, BacklightExplainer.executorCores(conf, "local[2,4]"));
        assertEquals(machine, BacklightExplainer.executorCores(conf, "local[*]"));
        assertEquals(machine, BacklightExplainer.executorCores(conf, "local[*, 3]"));
        assertEquals(1, BacklightExplainer.executorCores(conf, "local-cluster[2,1,1024]"));
        assertEquals(0, BacklightExplainer.executorCores(conf, "yarn"), "unknown: each executor counts its own");
        assertEquals(5, BacklightExplainer.executorCores(conf.clone().set("spark.executor.cores", "5"), "yarn"));
    }

    @Test
    void slotsAndTheAutomaticCpuBatchShareTheExecutor() {
        assertEquals(4, ExplainPartition.slots(4, 1));
        assertEquals(2, ExplainPartition.slots(4, 2));
        assertEquals(1, ExplainPartition.slots(2, 4), "at least one");
        assertEquals(Runtime.getRuntime().availableProcessors(), ExplainPartition.slots(0, 1));
        long gib = 1L << 30;
        // Half the heap, shared by the slots, at 160 MiB per image, 1 to 16.
        assertEquals(3, ExplainPartition.automaticCpuBatch(gib, 1));
        assertEquals(6, ExplainPartition.automaticCpuBatch(8 * gib, 4));
        assertEquals(16, ExplainPartition.automaticCpuBatch(64 * gib, 1));
        assertEquals(1, ExplainPartition.automaticCpuBatch(gib, 8));
    }
}
