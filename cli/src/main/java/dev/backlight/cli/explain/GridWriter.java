package dev.backlight.cli.explain;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.backlight.densenet.imagenet.ImageLoader;
import dev.backlight.densenet.imagenet.ImageNetPreprocessor;
import dev.backlight.render.ContactSheet;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import javax.imageio.ImageIO;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code --grid} contact sheet of a run: one row per image input of the plan, in plan order,
 * for every image explained now and every image whose outputs an earlier run wrote ({@code
 * --resume} skipped it). A row explained now is drawn from its pictures as they were written; a
 * row of an earlier run is drawn from its written picture files, its crop decoded again from the
 * input, and its caption read from its {@code .explain.json}. Either way the row is the same, so a
 * resumed run's grid is the grid of an uninterrupted run. Rows are drawn into the page as they
 * come ({@link ContactSheet}); nothing of a row is kept.
 */
final class GridWriter {
    private static final Logger LOG = LoggerFactory.getLogger(GridWriter.class);
    private static final JsonFactory JSON = JsonFactory.builder().build();

    private final Path out;
    private final ContactSheet sheet;
    private final List<Batch.Planned> images;
    private final Set<Batch.Planned> earlier;
    private final int background;
    private final long maxPixels;
    private final ImageNetPreprocessor preprocessor = ImageNetPreprocessor.standard();
    private int cursor;

    /**
     * @param planned every input of the run, in plan order (arrays are left out of the grid)
     * @param skipped the inputs whose outputs an earlier run wrote
     * @param banner the text across the bottom of every page, or null
     * @param columns the crop and the pictures of a row
     */
    GridWriter(Path out, List<Batch.Planned> planned, List<Batch.Planned> skipped, String banner,
               Map<String, String> pngText, int columns, int background, long maxPixels) {
        this.out = out;
        this.images = planned.stream().filter(p -> p.spec().kind() == InputFile.Kind.IMAGE).toList();
        Set<Batch.Planned> set = Collections.newSetFromMap(new IdentityHashMap<>());
        set.addAll(skipped);
        this.earlier = set;
        this.background = background;
        this.maxPixels = maxPixels;
        this.sheet = new ContactSheet(out, banner, pngText, columns, images.size());
    }

    /**
     * Adds the row of an image explained now, after the rows of earlier runs that come before it.
     * Images must be added in plan order.
     *
     * @param pictures its best-ranked map's pictures as written, in kind order
     */
    void done(Batch.Planned input, BufferedImage crop, List<BufferedImage> pictures, String caption) {
        catchUpTo(input);
        sheet.add(crop, pictures, caption);
        if (cursor < images.size()) {
            cursor++;
        }
    }

    /** Adds the rows of earlier runs still to come and writes the last page. */
    void finish() {
        catchUpTo(null);
        sheet.finish();
    }

    /** The pages written, relative to the output folder. */
    List<String> pages() {
        return sheet.pages();
    }

    /** Adds the rows of earlier runs before {@code input} (before the end for null) and moves to it. */
    private void catchUpTo(Batch.Planned input) {
        while (cursor < images.size() && images.get(cursor) != input) {
            Batch.Planned p = images.get(cursor++);
            if (earlier.contains(p)) {
                addFromFiles(p);
            }
        }
    }

    private void addFromFiles(Batch.Planned input) {
        Path path = input.spec().path();
        try {
            List<BufferedImage> pictures = new ArrayList<>();
            for (String name : input.names().ranks().get(0).pictures().values()) {
                BufferedImage picture = ImageIO.read(OutputNames.inside(out, name).toFile());
                if (picture == null) {
                    throw new IOException(name + " is not a picture");
                }
                pictures.add(picture);
            }
            String caption = caption(path, OutputNames.inside(out, input.names().report()));
            BufferedImage crop = preprocessor.resizeAndCrop(ImageLoader.read(path, background, maxPixels));
            sheet.add(crop, pictures, caption);
        } catch (IOException | RuntimeException | OutOfMemoryError e) {
            LOG.warn("the grid has no row for {}: its outputs of an earlier run cannot be read back ({})", path,
                    e.toString());
        }
    }

    /** The caption of a row as {@link BatchRunner} makes it, from what the input's report says. */
    private static String caption(Path input, Path report) throws IOException {
        Map<String, Object> json = object(Files.readAllBytes(report));
        Map<?, ?> image = (Map<?, ?>) ((List<?>) json.get("images")).get(0);
        Map<?, ?> best = (Map<?, ?>) ((List<?>) image.get("top5")).get(0);
        Map<?, ?> target = (Map<?, ?>) ((List<?>) image.get("targets")).get(0);
        return caption(InputFile.fileName(input), (String) best.get("label"), ((Number) best.get("probability")).doubleValue(),
                ((Number) target.get("class")).intValue(), (String) target.get("label"));
    }

    /** A row's caption: the file name, the top class and its probability, the class the map explains. */
    static String caption(String fileName, String topLabel, double probability, int explained, String explainedLabel) {
        return String.format(Locale.ROOT, "%s  top-1: %s %.3f; map of %d %s", fileName, topLabel, probability, explained,
                explainedLabel);
    }

    /** A small JSON document (a report of one input) as maps, lists, strings, numbers and booleans. */
    private static Map<String, Object> object(byte[] json) throws IOException {
        try (JsonParser p = JSON.createParser(json)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new IOException("not a JSON object");
            }
            @SuppressWarnings("unchecked")
            Map<String, Object> value = (Map<String, Object>) value(p);
            return value;
        }
    }

    private static Object value(JsonParser p) throws IOException {
        switch (p.currentToken()) {
            case START_OBJECT -> {
                Map<String, Object> map = new LinkedHashMap<>();
                while (p.nextToken() == JsonToken.FIELD_NAME) {
                    String name = p.getCurrentName();
                    p.nextToken();
                    map.put(name, value(p));
                }
                return map;
            }
            case START_ARRAY -> {
                List<Object> list = new ArrayList<>();
                while (p.nextToken() != JsonToken.END_ARRAY) {
                    list.add(value(p));
                }
                return list;
            }
            case VALUE_STRING -> {
                return p.getText();
            }
            case VALUE_NUMBER_INT -> {
                return p.getLongValue();
            }
            case VALUE_NUMBER_FLOAT -> {
                return p.getDoubleValue();
            }
            case VALUE_TRUE, VALUE_FALSE -> {
                return p.getBooleanValue();
            }
            default -> {
                return null;
            }
        }
    }
}
