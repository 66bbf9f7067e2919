package dev.distil4j.train;

import java.nio.file.Files;
import java.nio.file.Path;

/** The reference data beside the project root ({@code ../shared}); tests fail, never skip, without it. */
public final class Shared {
    private Shared() {}

    public static Path root() {
        String prop = System.getProperty("distil4j.shared");
        Path p = prop != null ? Path.of(prop) : Path.of("..", "shared");
        if (!Files.isRegularFile(p.resolve("README.md"))) {
            p = Path.of("..", "..", "shared");
        }
        if (!Files.isRegularFile(p.resolve("README.md"))) {
            throw new IllegalStateException("the reference data ../shared is missing (looked at " + p.toAbsolutePath()
                    + "); it must sit beside the project root");
        }
        return p.normalize();
    }

    public static Path path(String relative) {
        Path p = root().resolve(relative);
        if (!Files.exists(p)) throw new IllegalStateException("missing reference file " + p.toAbsolutePath());
        return p;
    }
}
