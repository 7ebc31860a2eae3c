package dev.backlight.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CompareReportTest {
    @Test
    void readsBothFormatsAndComputesRatiosOfMedians(@TempDir Path dir) throws Exception {
        Path jmh = dir.resolve("jmh.json");
        Files.writeString(jmh, "[{\"jmhVersion\":\"1.37\",\"benchmark\":\"dev.backlight.bench.CpuDenseNetBenchmark.forwardBackward\","
                + "\"mode\":\"ss\",\"params\":{\"backend\":\"cpu\",\"batch\":\"8\",\"method\":\"guided-backprop\",\"threads\":\"2\"},"
                + "\"primaryMetric\":{\"score\":1.0,\"scoreError\":\"NaN\",\"scoreConfidence\":[1,2],\"scoreUnit\":\"ms/op\","
                + "\"rawData\":[[1600.0,800.0,1000.0]]},\"secondaryMetrics\":{}}]");
        Path torch = dir.resolve("torch.json");
        Files.writeString(torch, "{\"schema\":\"torch-saliency-baseline/1\",\"rows\":[{\"config_id\":\"guided-correct/fp32/nchw/pg0/cb1\","
                + "\"batch\":8,\"status\":\"ok\",\"build\":{\"x\":1},\"ms_all\":[400.0,500.0,600.0]},"
                + "{\"config_id\":\"skipped\",\"batch\":8,\"status\":\"skipped\",\"ms_all\":[]}],\"env\":{}}");
        List<CompareReport.Cell> ours = CompareReport.readJmh(jmh);
        List<CompareReport.Cell> theirs = CompareReport.readTorch(torch);
        assertEquals(1, ours.size());
        assertEquals(1000.0, ours.get(0).median());
        assertEquals(1, theirs.size());
        assertEquals(500.0, theirs.get(0).median());
        String report = CompareReport.render(ours, theirs);
        assertTrue(report.contains(": 2.00"), report);
        assertTrue(report.contains("125.0"), "ms per image = median / batch: " + report);
    }
}
