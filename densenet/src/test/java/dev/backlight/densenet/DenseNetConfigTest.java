package dev.backlight.densenet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.backlight.api.graph.Graph;
import dev.backlight.api.graph.Node;
import dev.backlight.api.graph.Op;
import org.junit.jupiter.api.Test;

class DenseNetConfigTest {
    @Test
    void aCheckpointsClassesAndEpsilonReplaceTheDefaults() {
        DenseNetConfig keras = DenseNetConfig.DENSENET201.withNumClasses(7).withBnEps(DenseNetConfig.KERAS_BN_EPS);
        assertEquals(7, keras.numClasses());
        assertEquals(1.001e-5f, keras.bnEps());
        assertTrue(keras.sameFeatures(DenseNetConfig.DENSENET201));
        assertFalse(keras.equals(DenseNetConfig.DENSENET201));
        assertFalse(keras.sameFeatures(DenseNetConfig.DENSENET121));
        assertEquals(1000, DenseNetConfig.DENSENET201.numClasses());
        assertEquals(1e-5f, DenseNetConfig.DENSENET201.bnEps());
        assertTrue(keras.toString().contains("7 classes") && keras.toString().contains("eps 1.001E-5"), keras.toString());
    }

    @Test
    void theGraphUsesTheConfigsEpsilonAndClassCount() {
        DenseNetConfig config = DenseNetConfig.DENSENET121.withNumClasses(3).withBnEps(DenseNetConfig.KERAS_BN_EPS);
        Graph g = DenseNet.build(config, 32, 32);
        int norms = 0;
        for (Node n : g.nodes()) {
            if (n.op() instanceof Op.BatchNorm) {
                assertEquals(1.001e-5f, ((Op.BatchNorm) n.op()).eps(), n.name());
                norms++;
            }
        }
        assertEquals(1 + 2 * 58 + 3 + 1, norms);
        assertTrue(g.parameters().stream().anyMatch(p -> p.name().equals("classifier.weight")
                && p.shape().dim(0) == 3), "classifier of 3 outputs");
    }

    @Test
    void refusesNonsense() {
        assertThrows(IllegalArgumentException.class, () -> DenseNetConfig.DENSENET201.withNumClasses(0));
        assertThrows(IllegalArgumentException.class, () -> DenseNetConfig.DENSENET201.withBnEps(0f));
        assertThrows(IllegalArgumentException.class, () -> DenseNetConfig.DENSENET201.withBnEps(Float.NaN));
        assertThrows(IllegalArgumentException.class, () -> DenseNetConfig.DENSENET201.withBnEps(Float.POSITIVE_INFINITY));
        assertThrows(IllegalArgumentException.class,
                () -> new DenseNetConfig("x", 4, new int[] {2, 0}, 8, 2, 5, 1e-5f));
    }
}
