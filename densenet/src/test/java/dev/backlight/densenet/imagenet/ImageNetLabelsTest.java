package dev.backlight.densenet.imagenet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ImageNetLabelsTest {
    private final ImageNetLabels labels = ImageNetLabels.load();

    @Test
    void hasThousandUniqueNames() {
        Set<String> names = new HashSet<>();
        for (int i = 0; i < labels.size(); i++) {
            names.add(labels.name(i));
        }

        assertEquals(1000, labels.size());
        assertEquals(1000, names.size());
    }

    @Test
    void namesFollowTheStandardIndexOrder() {
        assertEquals("tench", labels.name(0));
        assertEquals("lion", labels.name(291));
        assertEquals("toilet tissue", labels.name(999));
        assertEquals("crane bird", labels.name(134));
        assertEquals("crane", labels.name(517));
    }

    @Test
    void indexOfIsExactMatch() {
        assertEquals(291, labels.indexOf("lion"));
        assertEquals(999, labels.indexOf("toilet tissue"));
        assertEquals(-1, labels.indexOf("Lion"));
        assertEquals(-1, labels.indexOf("lion "));
        assertEquals(-1, labels.indexOf("unicorn"));
    }

    @Test
    void badIndexNamesTheRange() {
        IllegalArgumentException below = assertThrows(IllegalArgumentException.class, () -> labels.name(-1));
        IllegalArgumentException above = assertThrows(IllegalArgumentException.class, () -> labels.name(1000));

        assertTrue(below.getMessage().contains("-1") && below.getMessage().contains("[0, 999]"), below.getMessage());
        assertTrue(above.getMessage().contains("1000") && above.getMessage().contains("[0, 999]"), above.getMessage());
    }

    @Test
    void loadIsCached() {
        assertSame(labels, ImageNetLabels.load());
    }
}
