package dev.distil4j.source;

import java.nio.file.Path;

/**
 * Where a model spec led: a directory in Hugging Face layout ({@code config.json}, tokenizer files,
 * weights that {@link dev.distil4j.weights.Checkpoints#open} reads).
 *
 * @param spec      what the user asked for
 * @param directory the model directory
 * @param origin    which source answered
 * @param detail    a human-readable note: the commit, the jar, why a fallback was taken
 */
public record ResolvedModel(String spec, Path directory, Origin origin, String detail) {
    /** The source that provided the model, in resolution order. */
    public enum Origin {
        /** A directory given by path. */
        LOCAL,
        /** Already in the Hugging Face hub cache; nothing was downloaded. */
        HUB_CACHE,
        /** Downloaded from the hub into its cache now. */
        HUB_DOWNLOAD,
        /** From a Maven artifact (local repository or downloaded), imported into distil4j's cache. */
        MAVEN
    }
}
