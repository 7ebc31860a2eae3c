package dev.backlight.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.backlight.api.InputFormatException;
import dev.backlight.render.PictureKind;
import org.junit.jupiter.api.Test;

/** Output names: derived from the input path alone, mirroring its folders, never leaving the output folder. */
class MapNamesTest {
    @Test
    void theWholePathIsMirroredWithoutSchemeAndHost() {
        assertEquals("data/photos/a/cat.jpg", MapNames.base("file:/data/photos/a/cat.jpg", null));
        assertEquals("data/photos/a/cat.jpg", MapNames.base("hdfs://namenode:8020/data/photos/a/cat.jpg", ""));
        assertEquals("x/y.png", MapNames.base("s3a://bucket/x/y.png", null));
        assertEquals("tmp/a b/c.jpg", MapNames.base("/tmp/a b//./c.jpg", null));
    }

    @Test
    void belowTheInputRootOnlyTheRestIsMirrored() {
        assertEquals("a/cat.jpg", MapNames.base("hdfs://nn:8020/data/photos/a/cat.jpg", "hdfs://nn:8020/data/photos"));
        assertEquals("a/cat.jpg", MapNames.base("hdfs://nn:8020/data/photos/a/cat.jpg", "/data/photos/"));
        assertEquals("cat.jpg", MapNames.base("file:/data/photos/cat.jpg", "file:///data/photos"));
        InputFormatException outside = assertThrows(InputFormatException.class,
                () -> MapNames.base("file:/data/photosets/cat.jpg", "/data/photos"));
        assertTrue(outside.getMessage().contains("not below the input root"), outside.getMessage());
        assertThrows(InputFormatException.class, () -> MapNames.base("/data/photos", "/data/photos"));
    }

    @Test
    void namesKeepTheExtensionAndNameTheMethodRankAndKind() {
        String jpg = MapNames.base("/p/photo.jpg", "/p");
        String png = MapNames.base("/p/photo.png", "/p");
        assertEquals("photo.jpg.guided-backprop.npy", MapNames.npy(jpg, "guided-backprop", 0, 1));
        assertNotEquals(MapNames.npy(jpg, "gradient", 0, 1), MapNames.npy(png, "gradient", 0, 1));
        assertEquals("photo.jpg.gradient.top2.npy", MapNames.npy(jpg, "gradient", 1, 3));
        assertEquals("photo.jpg.gradient.top1.heatmap.png", MapNames.picture(jpg, "gradient", 0, 2, PictureKind.HEATMAP));
        assertEquals("photo.png.gradient.overlay.png", MapNames.picture(png, "gradient", 0, 1, PictureKind.OVERLAY));
    }

    @Test
    void unusableNamesAreRefused() {
        assertThrows(InputFormatException.class, () -> MapNames.base(null, null));
        assertThrows(InputFormatException.class, () -> MapNames.base(" ", null));
        assertThrows(InputFormatException.class, () -> MapNames.base("hdfs://nn", null));
        InputFormatException dots = assertThrows(InputFormatException.class, () -> MapNames.base("/data/../../etc/passwd", null));
        assertTrue(dots.getMessage().contains(".."), dots.getMessage());
        String longName = "x".repeat(240) + ".jpg";
        String base = MapNames.base("/p/" + longName, "/p");
        InputFormatException tooLong = assertThrows(InputFormatException.class,
                () -> MapNames.npy(base, "guided-backprop", 0, 1));
        assertTrue(tooLong.getMessage().contains("255"), tooLong.getMessage());
    }
}
