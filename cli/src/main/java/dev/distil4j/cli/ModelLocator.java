package dev.distil4j.cli;

import dev.distil4j.source.SourceSettings;

import java.io.PrintWriter;
import java.nio.file.Path;

/**
 * Turns a {@code --model} argument into a model directory: a local directory, the Hugging Face
 * cache or hub, a Maven coordinate or a known alias ({@code bert-base-uncased}), through
 * {@link dev.distil4j.source.ModelSource}. Where it came from goes to stderr.
 */
final class ModelLocator {
    private ModelLocator() {}

    static Path resolve(String spec) {
        return ModelSpecs.resolve(SourceSettings.fromEnvironment(), spec, new PrintWriter(System.err, true));
    }
}
