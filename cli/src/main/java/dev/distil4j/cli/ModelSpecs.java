package dev.distil4j.cli;

import dev.distil4j.source.ModelSource;
import dev.distil4j.source.ModelSourceException;
import dev.distil4j.source.ResolvedModel;
import dev.distil4j.source.SourceSettings;

import java.io.PrintWriter;
import java.nio.file.Path;

/**
 * Resolves a {@code --model} / {@code --teacher} spec for a command through {@link ModelSource}
 * (local directory, hub cache, hub, Maven), turning a failure into a one-line user error and
 * telling the user on stderr when the model came from somewhere other than a local directory.
 */
final class ModelSpecs {
    private ModelSpecs() {}

    static Path resolve(SourceSettings settings, String spec, PrintWriter err) {
        try {
            ResolvedModel r = new ModelSource(settings).resolve(spec);
            if (r.origin() != ResolvedModel.Origin.LOCAL && err != null) {
                err.println("distil4j: " + spec + " -> " + r.directory() + " [" + r.origin().name().toLowerCase().replace('_', ' ')
                        + ": " + r.detail() + "]");
                err.flush();
            }
            return r.directory();
        } catch (ModelSourceException e) {
            throw new UserException(e.getMessage());
        }
    }
}
