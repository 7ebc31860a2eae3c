package dev.backlight.render;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link ContactSheet}: 100 rows a page, pages sized for the rows expected and a last page that got
 * fewer rows cut to them, each tile the scaled picture, the banner across the bottom.
 */
class ContactSheetTest {
    private static final int ROW = ContactSheet.TILE + 16 + 4;

    @TempDir
    Path dir;

    @Test
    void rowsFillPagesOfAHundredAndTheLastPageIsCutToItsRows() throws IOException {
        ContactSheet sheet = new ContactSheet(dir, "banner", Map.of("Software", "test"), 3, 150);
        for (int i = 0; i < 130; i++) {
            sheet.add(solid(0x102030 + i, 224), List.of(solid(0xff0000, 224), solid(0x00ff00, 50)), "row " + i);
        }
        sheet.finish();

        assertEquals(List.of("grid.png", "grid-2.png"), sheet.pages());
        BufferedImage first = ImageIO.read(dir.resolve("grid.png").toFile());
        BufferedImage last = ImageIO.read(dir.resolve("grid-2.png").toFile());
        assertEquals(4 + 3 * (ContactSheet.TILE + 4), first.getWidth());
        assertEquals(4 + 100 * ROW + 32, first.getHeight(), "100 rows and the banner's room");
        assertEquals(4 + 30 * ROW + 32, last.getHeight(), "the 30 rows it got, not the 50 it was sized for");
        // Row 7 of the first page: its crop's colour, then the two pictures, each scaled to a tile.
        int top = 4 + 7 * ROW;
        assertEquals(0x102030 + 7, first.getRGB(4 + 80, top + 80) & 0xffffff);
        assertEquals(0xff0000, first.getRGB(4 + ContactSheet.TILE + 4 + 80, top + 80) & 0xffffff);
        assertEquals(0x00ff00, first.getRGB(4 + 2 * (ContactSheet.TILE + 4) + 80, top + 80) & 0xffffff);
        assertEquals(Banner.BACKGROUND.getRGB() & 0xffffff, last.getRGB(1, last.getHeight() - 2) & 0xffffff);
        assertEquals(0xffffff, last.getRGB(4 + 80, 4 + 30 * ROW + 2) & 0xffffff, "white below the last row");
    }

    private static BufferedImage solid(int rgb, int side) {
        BufferedImage image = new BufferedImage(side, side, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < side; y++) {
            for (int x = 0; x < side; x++) {
                image.setRGB(x, y, rgb);
            }
        }
        return image;
    }
}
