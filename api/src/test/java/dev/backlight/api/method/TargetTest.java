package dev.backlight.api.method;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.backlight.api.Shape;
import dev.backlight.api.Tensor;
import org.junit.jupiter.api.Test;

class TargetTest {
    private final Tensor logits = Tensor.of(Shape.of(2, 5), new float[] {
        0.1f, 3f, -1f, 3f, 2f,
        -5f, -4f, -3f, -2f, -1f});

    @Test
    void topKIsDescendingWithTiesToTheLowerIndex() {
        assertArrayEquals(new int[][] {{1, 3, 4}, {4, 3, 2}}, Target.topK(3).resolve(logits));
        assertArrayEquals(new int[][] {{1}, {4}}, Target.top1().resolve(logits));
    }

    @Test
    void explicitClassesApplyPerImageOrToAll() {
        assertArrayEquals(new int[][] {{2}, {0}}, Target.classes(2, 0).resolve(logits));
        assertArrayEquals(new int[][] {{4}, {4}}, Target.classes(4).resolve(logits));
    }

    @Test
    void badTargetsNameTheProblem() {
        var range = assertThrows(IllegalArgumentException.class, () -> Target.classes(5).resolve(logits));
        assertTrue(range.getMessage().contains("0..4"), range.getMessage());
        var count = assertThrows(IllegalArgumentException.class, () -> Target.classes(1, 2, 3).resolve(logits));
        assertTrue(count.getMessage().contains("batch of 2"), count.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Target.topK(6).resolve(logits));
        assertThrows(IllegalArgumentException.class, () -> Target.topK(0));
    }

    @Test
    void builtInMethodsAreFoundByIdThroughServiceLoader() {
        assertTrue(AttributionMethods.ids().containsAll(java.util.List.of("guided-backprop", "gradient", "deconvnet")));
        var e = assertThrows(IllegalArgumentException.class, () -> AttributionMethods.byId("lime"));
        assertTrue(e.getMessage().contains("guided-backprop"), e.getMessage());
        assertTrue(dev.backlight.api.rule.ReluRules.ids().containsAll(java.util.List.of("vanilla", "deconvnet", "guided")));
    }
}
