package dev.backlight.densenet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.backlight.api.Shape;
import dev.backlight.api.graph.Graph;
import dev.backlight.api.graph.Op;
import dev.backlight.api.graph.Parameter;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/**
 * Checks the graph builder against torchvision's own DenseNets: the state-dict names and shapes of
 * DenseNet-201 and the parameter counts of all four, listed by make_state_dict_listing.py (in the
 * test resources) from torchvision 0.14.
 */
class DenseNetGraphTest {

    private static Map<String, String> listing(String resource) throws IOException {
        Map<String, String> out = new LinkedHashMap<>();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(
                Objects.requireNonNull(DenseNetGraphTest.class.getResourceAsStream(resource), resource), StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                if (!line.startsWith("#")) {
                    String[] parts = line.split("\t", -1);
                    out.put(parts[0], parts[1]);
                }
            }
        }
        return out;
    }

    @Test
    void densenet201ParametersAreTorchvisionsStateDict() throws IOException {
        Map<String, String> torchvision = listing("densenet201_state_dict.txt");
        torchvision.keySet().removeIf(k -> k.endsWith("num_batches_tracked"));
        Map<String, String> ours = new LinkedHashMap<>();
        for (Parameter p : DenseNet.densenet201().parameters()) {
            ours.put(p.name(), Arrays.stream(p.shape().dims()).mapToObj(Integer::toString).reduce((a, b) -> a + "," + b).orElse(""));
        }
        assertEquals(torchvision, ours);
    }

    @ParameterizedTest
    @ValueSource(strings = {"densenet121", "densenet161", "densenet169", "densenet201"})
    void parameterCountsMatchTorchvision(String name) throws IOException {
        long expected = Long.parseLong(listing("densenet_parameter_counts.txt").get(name));
        DenseNetConfig config = DenseNetConfig.byName(name);
        Graph g = DenseNet.build(config, 224, 224);
        long count = g.parameters().stream()
                .filter(p -> p.role() != Parameter.Role.BN_RUNNING_MEAN && p.role() != Parameter.Role.BN_RUNNING_VAR)
                .mapToLong(p -> p.shape().size()).sum();
        assertEquals(expected, count);
        assertEquals(config.reluCount(), g.count(Op.Relu.class));
        assertEquals(Shape.of(1000), g.outputShape());
    }

    @Test
    void densenet201HasEveryReluAsANodeIncludingTheFinalOne() {
        Graph g = DenseNet.densenet201();
        assertEquals(201, g.count(Op.Relu.class));
        var last = g.nodes().stream().filter(n -> n.name().equals("features.relu5")).findFirst().orElseThrow();
        assertEquals("features.norm5", g.node(last.inputs().get(0)).name());
        assertEquals(Shape.of(1920, 7, 7), last.shape());
        assertTrue(g.consumers(last.id()).stream().allMatch(c -> g.node(c).op() instanceof Op.GlobalAvgPool));
    }

    @Test
    void otherInputSizesBuild() {
        Graph g = DenseNet.build(DenseNetConfig.DENSENET201, 64, 96);
        var relu5 = g.nodes().stream().filter(n -> n.name().equals("features.relu5")).findFirst().orElseThrow();
        assertEquals(Shape.of(1920, 2, 3), relu5.shape());
    }
}
