package dev.backlight.api.graph;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.backlight.api.Shape;
import java.util.List;
import org.junit.jupiter.api.Test;

class GraphBuilderTest {
    @Test
    void infersShapesAndCollectsParameters() {
        GraphBuilder g = new GraphBuilder("t", 3, 224, 224);
        int x = g.conv2d("conv0", 0, 64, 7, 2, 3, false);
        assertEquals(Shape.of(64, 112, 112), g.shape(x));
        x = g.maxPool("pool0", x, 3, 2, 1);
        assertEquals(Shape.of(64, 56, 56), g.shape(x));
        int y = g.conv2d("conv1", x, 32, 3, 1, 1, true);
        int cat = g.concat("cat", List.of(x, y));
        assertEquals(Shape.of(96, 56, 56), g.shape(cat));
        int p = g.avgPool("avg", cat, 2, 2, 0);
        assertEquals(Shape.of(96, 28, 28), g.shape(p));
        int v = g.globalAvgPool("gap", p);
        g.linear("fc", v, 10, true);
        Graph graph = g.build();
        assertEquals(Shape.of(10), graph.outputShape());
        assertEquals(List.of("conv0.weight", "conv1.weight", "conv1.bias", "fc.weight", "fc.bias"),
                graph.parameters().stream().map(Parameter::name).toList());
        assertEquals(List.of(y, cat), graph.consumers(x));
    }

    @Test
    void mismatchesAreRejectedWithShapesInTheMessage() {
        GraphBuilder g = new GraphBuilder("t", 3, 8, 8);
        int a = g.conv2d("a", 0, 4, 3, 1, 1, false);
        int b = g.conv2d("b", 0, 4, 3, 2, 1, false);
        var e = assertThrows(IllegalArgumentException.class, () -> g.concat("cat", List.of(a, b)));
        assertTrue(e.getMessage().contains("[4, 4, 4]"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> g.linear("fc", a, 3, false));
        assertThrows(IllegalArgumentException.class, () -> g.conv2d("big", 0, 4, 11, 1, 0, false));
        assertThrows(IllegalArgumentException.class, () -> g.relu("a", 0));
    }
}
