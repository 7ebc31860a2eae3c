package dev.backlight;

import dev.backlight.api.BacklightException;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * The outcome for one input of {@link Explainer#explainAll}: its explanation, or why it has none
 * (an unreadable or corrupt file, an image over the pixel limit). One bad input never stops the others.
 *
 * @param input the input file
 * @param explanation its explanation, or null when it failed
 * @param error why it failed, or null when it did not
 */
public record ExplanationResult(Path input, Explanation explanation, BacklightException error) {
    public ExplanationResult {
        Objects.requireNonNull(input, "input");
        if ((explanation == null) == (error == null)) {
            throw new IllegalArgumentException("a result has either an explanation or an error");
        }
    }

    /** Whether the input was explained. */
    public boolean ok() {
        return explanation != null;
    }

    /** The explanation, if the input was explained. */
    public Optional<Explanation> value() {
        return Optional.ofNullable(explanation);
    }
}
