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
 * grid-2.png}, ... in the output folder. Holds at most one page of small tiles in memory.
 */
public final class ContactSheet {
    /** The side of one tile. */
    public static final int TILE = 160;
    /** Rows per page. */
    public static final int ROWS_PER_PAGE = 100;
    private static final int CAPTION = 16;
    private static final int GAP = 4;

    private final Path directory;
    private final String banner;
    private final Map<String, String> pngText;
    private final List<Row> rows = new ArrayList<>();
    private final List<String> written = new ArrayList<>();

    private record Row(List<BufferedImage> tiles, String caption) {
    }

    /**
     * A sheet with no rows yet.
     *
     * @param directory where the pages go
     * @param banner text drawn across the bottom of every page, or null
     * @param pngText the {@code tEXt} chunks of every page (such as {@code Software})
     */
    public ContactSheet(Path directory, String banner, Map<String, String> pngText) {
        this.directory = directory;
        this.banner = banner;
        this.pngText = Map.copyOf(pngText);
    }

    /** Adds a row: the crop, then the pictures in their order; a full page is written at once. */
    public void add(BufferedImage crop, List<BufferedImage> pictures, String caption) {
        List<BufferedImage> tiles = new ArrayList<>();
        tiles.add(scaled(crop));
        pictures.forEach(p -> tiles.add(scaled(p)));
        rows.add(new Row(tiles, caption));
        if (rows.size() == ROWS_PER_PAGE) {
            flush();
        }
    }

    /** Writes the rows not written yet as a last page. */
    public void finish() {
        if (!rows.isEmpty()) {
            flush();
        }
    }

    /** The names of the pages written, relative to the output folder. */
    public List<String> pages() {
        return List.copyOf(written);
    }

    private void flush() {
        int columns = rows.stream().mapToInt(r -> r.tiles().size()).max().orElse(1);
        int width = GAP + columns * (TILE + GAP);
        int rowHeight = TILE + CAPTION + GAP;
        // Room at the bottom for the banner, so that it covers no caption.
        int bannerRoom = banner != null ? 2 * CAPTION : 0;
        BufferedImage page = new BufferedImage(width, GAP + rows.size() * rowHeight + bannerRoom, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = page.createGraphics();
        try {
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, page.getWidth(), page.getHeight());
            g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
            FontMetrics metrics = g.getFontMetrics();
            for (int r = 0; r < rows.size(); r++) {
                int top = GAP + r * rowHeight;
                List<BufferedImage> tiles = rows.get(r).tiles();
                for (int c = 0; c < tiles.size(); c++) {
                    g.drawImage(tiles.get(c), GAP + c * (TILE + GAP), top, null);
                }
                g.setColor(Color.BLACK);
                g.drawString(fit(rows.get(r).caption(), metrics, width - 2 * GAP), GAP, top + TILE + metrics.getAscent() + 2);
            }
        } finally {
            g.dispose();
        }
        if (banner != null) {
            Banner.draw(page, banner);
        }
        String name = written.isEmpty() ? "grid.png" : "grid-" + (written.size() + 1) + ".png";
        PngFiles.write(directory.resolve(name), page, pngText);
        written.add(name);
        rows.clear();
    }

    private static String fit(String text, FontMetrics metrics, int width) {
        String shown = text;
        while (shown.length() > 1 && metrics.stringWidth(shown) > width) {
            shown = shown.substring(0, shown.length() - 2) + "…";
        }
        return shown;
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
