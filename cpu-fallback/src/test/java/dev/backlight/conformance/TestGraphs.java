package dev.backlight.conformance;

import dev.backlight.api.graph.Graph;
import dev.backlight.api.graph.GraphBuilder;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Small graphs, one per op (and the fused and concat patterns), for gradient checks. */
public final class TestGraphs {
    private TestGraphs() {
    }

    /** Every single-op graph by a descriptive name. */
    public static Map<String, Graph> singleOps() {
        Map<String, Graph> graphs = new LinkedHashMap<>();
        GraphBuilder g = new GraphBuilder("conv3x3", 3, 9, 8);
        g.conv2d("conv", 0, 4, 3, 1, 1, true);
        graphs.put("conv 3x3 s1 p1 with bias", g.build());
        g = new GraphBuilder("conv7x7", 3, 13, 11);
        g.conv2d("conv", 0, 4, 7, 2, 3, false);
        graphs.put("conv 7x7 s2 p3", g.build());
        g = new GraphBuilder("conv1x1", 5, 6, 7);
        g.conv2d("conv", 0, 6, 1, 1, 0, false);
        graphs.put("conv 1x1", g.build());
        g = new GraphBuilder("conv3x3s2", 4, 9, 9);
        g.conv2d("conv", 0, 3, 3, 2, 0, false);
        graphs.put("conv 3x3 s2 p0", g.build());
        g = new GraphBuilder("bn", 4, 5, 6);
        g.batchNorm("bn", 0, 1e-5f);
        graphs.put("batchnorm", g.build());
        g = new GraphBuilder("bnrelu", 4, 5, 6);
        g.relu("relu", g.batchNorm("bn", 0, 1e-5f));
        graphs.put("batchnorm+relu (fused)", g.build());
        g = new GraphBuilder("relu", 3, 5, 5);
        g.relu("relu", 0);
        graphs.put("relu", g.build());
        g = new GraphBuilder("maxpool", 3, 9, 9);
        g.maxPool("pool", 0, 3, 2, 1);
        graphs.put("maxpool 3 s2 p1", g.build());
        g = new GraphBuilder("avgpool", 3, 8, 8);
        g.avgPool("pool", 0, 2, 2, 0);
        graphs.put("avgpool 2 s2", g.build());
        g = new GraphBuilder("avgpoolpad", 2, 7, 7);
        g.avgPool("pool", 0, 3, 2, 1);
        graphs.put("avgpool 3 s2 p1", g.build());
        g = new GraphBuilder("gap", 3, 5, 4);
        g.globalAvgPool("gap", 0);
        graphs.put("global average pool", g.build());
        g = new GraphBuilder("linear", 6, 3, 3);
        g.linear("fc", g.globalAvgPool("gap", 0), 5, true);
        graphs.put("linear", g.build());
        g = new GraphBuilder("concat", 3, 6, 6);
        int a = g.conv2d("a", 0, 2, 3, 1, 1, false);
        int b = g.conv2d("b", 0, 3, 1, 1, 0, false);
        int cat1 = g.concat("cat1", List.of(a, b));
        int c = g.conv2d("c", cat1, 2, 3, 1, 1, false);
        g.concat("cat2", List.of(a, b, c));
        graphs.put("concat (zero-copy block)", g.build());
        g = new GraphBuilder("concatcopy", 3, 5, 5);
        int d = g.conv2d("d", 0, 2, 3, 1, 1, false);
        g.concat("cat", List.of(d, 0, d));
        graphs.put("concat (copying)", g.build());
        return graphs;
    }

    /**
     * A small classifier without max pooling: its ReLUs are the only forward masks, so its
     * Deconvnet map cannot depend on the input.
     */
    public static Graph maskOnlyClassifier() {
        GraphBuilder g = new GraphBuilder("maskonly", 3, 12, 12);
        int x = g.conv2d("conv0", 0, 6, 3, 1, 1, true);
        x = g.relu("relu0", g.batchNorm("bn0", x, 1e-5f));
        x = g.conv2d("conv1", x, 8, 3, 2, 1, false);
        x = g.relu("relu1", x);
        g.linear("fc", g.globalAvgPool("gap", x), 7, true);
        return g.build();
    }
}
