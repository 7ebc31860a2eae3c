package dev.backlight.densenet.pretrained;

import dev.backlight.api.internal.Settings;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * The pretrained weights of a DenseNet, used when no other weights are given: where they are
 * downloaded from, what size and SHA-256 they must have (each checked only when known), and where
 * they are cached.
 *
 * <p>The default is torchvision's ImageNet DenseNet-201 as timm publishes it in safetensors form,
 * {@value #DENSENET201_URL}, whose tensor names are torchvision's. Its size and hash are not
 * recorded in this build (the file could not be fetched where Backlight is built), so by default
 * the download is checked against the server's {@code Content-Length} only. Overrides, each a
 * system property or else an environment variable:
 *
 * <ul>
 *   <li>{@code backlight.weights.url} / {@code BACKLIGHT_WEIGHTS_URL}: another URL (a mirror, or a
 *       file for another model);
 *   <li>{@code backlight.weights.sha256} / {@code BACKLIGHT_WEIGHTS_SHA256}: the expected SHA-256;
 *   <li>{@code backlight.weights.size} / {@code BACKLIGHT_WEIGHTS_SIZE}: the expected size in bytes;
 *   <li>{@code backlight.cache} / {@code BACKLIGHT_CACHE}: the cache folder, instead of {@code
 *       $XDG_CACHE_HOME/backlight} ({@code ~/.cache/backlight} when {@code XDG_CACHE_HOME} is unset).
 * </ul>
 *
 * @param model the DenseNet the weights are for
 * @param url where they are downloaded from
 * @param size the expected size in bytes, if known
 * @param sha256 the expected SHA-256 in lower-case hex, if known
 * @param cacheFolder the cache folder
 */
public record PretrainedWeights(String model, URI url, OptionalLong size, Optional<String> sha256, Path cacheFolder) {
    /** timm's copy of torchvision's ImageNet DenseNet-201 weights. */
    public static final String DENSENET201_URL = "https://huggingface.co/timm/densenet201.tv_in1k/resolve/main/model.safetensors";

    /**
     * The default weights of {@code model}, with the overrides of the environment applied.
     *
     * @return empty if {@code model} has no default weights and no URL is configured
     * @throws IllegalArgumentException if an override is malformed
     */
    public static Optional<PretrainedWeights> forModel(String model) {
        Optional<String> url = Settings.get("backlight.weights.url", "BACKLIGHT_WEIGHTS_URL");
        if (url.isEmpty() && !model.equals("densenet201")) {
            return Optional.empty();
        }
        URI uri;
        try {
            uri = URI.create(url.orElse(DENSENET201_URL));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("BACKLIGHT_WEIGHTS_URL " + url.get() + " is not a URL: " + e.getMessage());
        }
        OptionalLong size = OptionalLong.empty();
        Optional<String> sizeText = Settings.get("backlight.weights.size", "BACKLIGHT_WEIGHTS_SIZE");
        if (sizeText.isPresent()) {
            try {
                size = OptionalLong.of(Long.parseLong(sizeText.get()));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("BACKLIGHT_WEIGHTS_SIZE " + sizeText.get() + " is not a byte count");
            }
        }
        Optional<String> sha = Settings.get("backlight.weights.sha256", "BACKLIGHT_WEIGHTS_SHA256")
                .map(s -> s.toLowerCase(Locale.ROOT));
        if (sha.isPresent() && !sha.get().matches("[0-9a-f]{64}")) {
            throw new IllegalArgumentException("BACKLIGHT_WEIGHTS_SHA256 " + sha.get() + " is not 64 hex digits");
        }
        return Optional.of(new PretrainedWeights(model, uri, size, sha, defaultCacheFolder()));
    }

    /** The cache folder: {@code BACKLIGHT_CACHE}, else {@code $XDG_CACHE_HOME/backlight}, else {@code ~/.cache/backlight}. */
    public static Path defaultCacheFolder() {
        Optional<String> explicit = Settings.get("backlight.cache", "BACKLIGHT_CACHE");
        if (explicit.isPresent()) {
            return Path.of(explicit.get());
        }
        String xdg = System.getenv("XDG_CACHE_HOME");
        // The XDG spec says to ignore a relative XDG_CACHE_HOME.
        if (xdg != null && !xdg.isBlank() && Path.of(xdg).isAbsolute()) {
            return Path.of(xdg, "backlight");
        }
        return Path.of(System.getProperty("user.home"), ".cache", "backlight");
    }

    /**
     * The cached file: named after the model and a digest of the URL, so that weights from another
     * URL never take the place of these.
     */
    public Path cachedFile() {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(url.toString().getBytes(StandardCharsets.UTF_8));
            return cacheFolder.resolve(model + "-" + HexFormat.of().formatHex(digest, 0, 6) + ".safetensors");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }
}
