package dev.backlight.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import org.apache.spark.JobExecutionStatus;
import org.apache.spark.SparkJobInfo;
import org.apache.spark.SparkStageInfo;
import org.apache.spark.SparkStatusTracker;
import org.apache.spark.sql.SparkSession;

/**
 * The tests' Spark: one local session per test JVM (starting one takes seconds), two task threads,
 * and up to four attempts per task so that a test can make a task fail once and watch it retried.
 */
final class TestSpark {
    private static SparkSession session;

    private TestSpark() {
    }

    static synchronized SparkSession session() {
        if (session == null) {
            session = SparkSession.builder()
                    .master("local[2,4]")
                    .appName("backlight-spark-tests")
                    .config("spark.ui.enabled", "false")
                    .config("spark.sql.shuffle.partitions", "3")
                    .getOrCreate();
        }
        return session;
    }

    /**
     * The failed task attempts of the jobs of {@code group}, once they are all recorded: Spark's
     * status tracker learns of them asynchronously, and a job's end is recorded after its tasks'.
     */
    static int failedTasks(String group) {
        SparkStatusTracker tracker = session().sparkContext().statusTracker();
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (true) {
            int[] jobs = tracker.getJobIdsForGroup(group);
            boolean done = jobs.length > 0;
            int failed = 0;
            for (int job : jobs) {
                SparkJobInfo info = tracker.getJobInfo(job).getOrElse(() -> null);
                if (info == null || info.status() != JobExecutionStatus.SUCCEEDED) {
                    done = false;
                    continue;
                }
                for (int stage : info.stageIds()) {
                    SparkStageInfo s = tracker.getStageInfo(stage).getOrElse(() -> null);
                    failed += s == null ? 0 : s.numFailedTasks();
                }
            }
            if (done) {
                return failed;
            }
            if (System.nanoTime() > deadline) {
                fail("the jobs of group " + group + " were not recorded as succeeded within 30 s: " + jobs.length + " jobs");
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                fail("interrupted");
            }
        }
    }

    static void assertNoFailedTasks(String group) {
        assertEquals(0, failedTasks(group), "failed task attempts in job group " + group);
    }
}
