package dev.backlight.render;

import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A contact sheet of many images' pictures: one row per image, its input crop and then each of its
 * pictures (best-ranked map), {@value #TILE} pixels a side, with the file name and top class
 * beneath. Rows are written {@value #ROWS_PER_PAGE} to a page: {@code grid.png}, {@code
 * grid-2.png}, ... in the output folder.
 *
 * <p>Memory does not grow with the number of rows: each row is drawn into the current page as it
 * is added (no tile or picture is kept), and a full page is written and dropped at once. A page is
 * sized for the rows still expected, at most {@value #ROWS_PER_PAGE}; a last page that gets fewer
 * (some images failed) is cut to the rows it holds. The pages depend only on the rows added, in
 * order, so rows made from pictures read back from their files give the same pages as rows made
 * from the pictures in memory.
 */
public final class ContactSheet {
    /** The side of one tile. */
    public static final int TILE = 160;
    /** Rows per page. */
    public static final int ROWS_PER_PAGE = 100;
    private static final int CAPTION = 16;
    private static final int GAP = 4;
    private static final int ROW_HEIGHT = TILE + CAPTION + GAP;

    private final Path directory;
    private final String banner;
    private final Map<String, String> pngText;
    private final int columns;
    private final int width;
    private final int bannerRoom;
    private final List<String> written = new ArrayList<>();
    private int expectedRows;
    private BufferedImage page;
    private Graphics2D graphics;
    private int capacity;
    private int rowsOnPage;

    /**
     * A sheet with no rows yet.
     *
     * @param directory where the pages go
     * @param banner text drawn across the bottom of every page, or null
     * @param pngText the {@code tEXt} chunks of every page (such as {@code Software})
     * @param columns the tiles of a row: the crop and the pictures
     * @param expectedRows the most rows that will be added (pages are sized for them)
     */
    public ContactSheet(Path directory, String banner, Map<String, String> pngText, int columns, int expectedRows) {
        if (columns < 1 || expectedRows < 0) {
            throw new IllegalArgumentException("a contact sheet needs at least one column and no negative row count, got "
                    + columns + " and " + expectedRows);
        }
        this.directory = directory;
        this.banner = banner;
        this.pngText = Map.copyOf(pngText);
        this.columns = columns;
        this.width = GAP + columns * (TILE + GAP);
        // Room at the bottom for the banner, so that it covers no caption.
        this.bannerRoom = banner != null ? 2 * CAPTION : 0;
        this.expectedRows = expectedRows;
    }

    /**
     * Adds a row: the crop, then the pictures in their order (at most {@code columns} tiles in all);
     * a full page is written at once.
     *
     * @throws dev.backlight.api.BacklightException if a page cannot be written
     */
    public void add(BufferedImage crop, List<BufferedImage> pictures, String caption) {
        if (pictures.size() + 1 > columns) {
            throw new IllegalArgumentException("a row of " + (pictures.size() + 1) + " tiles on a sheet of " + columns
                    + " columns");
        }
        if (page == null) {
            startPage();
        }
        int top = GAP + rowsOnPage * ROW_HEIGHT;
        drawTile(crop, GAP, top);
        for (int c = 0; c < pictures.size(); c++) {
            drawTile(pictures.get(c), GAP + (c + 1) * (TILE + GAP), top);
        }
        graphics.setColor(Color.BLACK);
        FontMetrics metrics = graphics.getFontMetrics();
        graphics.drawString(fit(caption, metrics, width - 2 * GAP), GAP, top + TILE + metrics.getAscent() + 2);
        rowsOnPage++;
        expectedRows = Math.max(0, expectedRows - 1);
        if (rowsOnPage == capacity) {
            flush();
        }
    }

    /** Writes the rows not written yet as a last page. */
    public void finish() {
        if (page != null && rowsOnPage > 0) {
            flush();
        }
        if (graphics != null) {
            graphics.dispose();
            graphics = null;
        }
        page = null;
    }

    /** The names of the pages written, relative to the output folder. */
    public List<String> pages() {
        return List.copyOf(written);
    }

    private void startPage() {
        capacity = Math.max(1, Math.min(ROWS_PER_PAGE, expectedRows));
        page = new BufferedImage(width, height(capacity), BufferedImage.TYPE_INT_RGB);
        graphics = page.createGraphics();
        graphics.setColor(Color.WHITE);
        graphics.fillRect(0, 0, page.getWidth(), page.getHeight());
        graphics.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        graphics.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
        graphics.setRenderingHint(RenderingHints.KEY_RENDERING, RenderingHints.VALUE_RENDER_QUALITY);
        graphics.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
        rowsOnPage = 0;
    }

    private int height(int rows) {
        return GAP + rows * ROW_HEIGHT + bannerRoom;
    }

    private void flush() {
        graphics.dispose();
        graphics = null;
        // A page sized for more rows than it got is cut; the part below the last row is still white.
        BufferedImage shown = rowsOnPage == capacity ? page : page.getSubimage(0, 0, width, height(rowsOnPage));
        if (banner != null) {
            Banner.draw(shown, banner);
        }
        String name = written.isEmpty() ? "grid.png" : "grid-" + (written.size() + 1) + ".png";
        page = null;
        PngFiles.write(directory.resolve(name), shown, pngText);
        written.add(name);
        rowsOnPage = 0;
    }

    private static String fit(String text, FontMetrics metrics, int width) {
        String shown = text;
        while (shown.length() > 1 && metrics.stringWidth(shown) > width) {
            shown = shown.substring(0, shown.length() - 2) + "…";
        }
        return shown;
    }

    /**
     * Draws {@code image} scaled to a tile. Scaled on its own first, as the sheet always did, so
     * that a tile's pixels do not depend on what the page around it holds.
     */
    private void drawTile(BufferedImage image, int x, int y) {
        graphics.drawImage(scaled(image), x, y, null);
    }

    private static BufferedImage scaled(BufferedImage image) {
        BufferedImage tile = new BufferedImage(TILE, TILE, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = tile.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
            g.setRenderingHint(RenderingHints.KEY_RENDERING, RenderingHints.VALUE_RENDER_QUALITY);
            g.drawImage(image, 0, 0, TILE, TILE, null);
        } finally {
            g.dispose();
        }
        return tile;
    }
}
