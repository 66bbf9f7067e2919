package dev.distil4j.source;

import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;

/**
 * Where models come from and go to, read once from the environment with the same variables and
 * defaults as {@code huggingface_hub}, so Python tools and distil4j share one cache.
 *
 * @param hubEndpoint   {@code HF_ENDPOINT}, default {@code https://huggingface.co}
 * @param hubToken      {@code HF_TOKEN} (or the legacy {@code HUGGING_FACE_HUB_TOKEN}, or the file
 *                      {@code $HF_HOME/token} that {@code huggingface-cli login} writes); null for none
 * @param hubCache      {@code HF_HUB_CACHE}, else {@code $HF_HOME/hub}, else
 *                      {@code $XDG_CACHE_HOME/huggingface/hub}, else {@code ~/.cache/huggingface/hub}
 * @param hubOffline    {@code HF_HUB_OFFLINE=1}: never contact the hub, use the cache only
 * @param cacheDir      distil4j's own cache (models imported from Maven jars): {@code DISTIL4J_CACHE},
 *                      else {@code $XDG_CACHE_HOME/distil4j}, else {@code ~/.cache/distil4j}
 * @param mavenSettings the user's Maven settings ({@code ~/.m2/settings.xml}; need not exist)
 * @param mavenHome     {@code ~/.m2}: the default local repository is {@code mavenHome/repository}
 * @param progress      where download progress goes (stderr), or null for none
 */
public record SourceSettings(
        URI hubEndpoint,
        String hubToken,
        Path hubCache,
        boolean hubOffline,
        Path cacheDir,
        Path mavenSettings,
        Path mavenHome,
        PrintStream progress) {

    public static final String DEFAULT_ENDPOINT = "https://huggingface.co";

    /** From the process environment; progress on stderr when it is a terminal or {@code DISTIL4J_PROGRESS=1}. */
    public static SourceSettings fromEnvironment() {
        Map<String, String> env = System.getenv();
        boolean progress = switch (env.getOrDefault("DISTIL4J_PROGRESS", "auto").toLowerCase(Locale.ROOT)) {
            case "1", "true", "yes", "on", "always" -> true;
            case "0", "false", "no", "off", "never" -> false;
            default -> Terminals.detect().stderr();
        };
        return from(env, Path.of(System.getProperty("user.home")), progress ? System.err : null);
    }

    /** From an explicit environment and home directory (tests). */
    public static SourceSettings from(Map<String, String> env, Path home, PrintStream progress) {
        String endpoint = nonEmpty(env.get("HF_ENDPOINT"));
        URI hub = URI.create(stripSlash(endpoint != null ? endpoint : DEFAULT_ENDPOINT));
        Path xdg = nonEmpty(env.get("XDG_CACHE_HOME")) != null ? Path.of(env.get("XDG_CACHE_HOME")) : home.resolve(".cache");
        Path hfHome = nonEmpty(env.get("HF_HOME")) != null ? Path.of(env.get("HF_HOME")) : xdg.resolve("huggingface");
        Path hubCache;
        if (nonEmpty(env.get("HF_HUB_CACHE")) != null) hubCache = Path.of(env.get("HF_HUB_CACHE"));
        else if (nonEmpty(env.get("HUGGINGFACE_HUB_CACHE")) != null) hubCache = Path.of(env.get("HUGGINGFACE_HUB_CACHE"));
        else hubCache = hfHome.resolve("hub");
        String token = nonEmpty(env.get("HF_TOKEN"));
        if (token == null) token = nonEmpty(env.get("HUGGING_FACE_HUB_TOKEN"));
        if (token == null) token = readToken(nonEmpty(env.get("HF_TOKEN_PATH")) != null ? Path.of(env.get("HF_TOKEN_PATH")) : hfHome.resolve("token"));
        boolean offline = truthy(env.get("HF_HUB_OFFLINE")) || truthy(env.get("TRANSFORMERS_OFFLINE"));
        Path cache = nonEmpty(env.get("DISTIL4J_CACHE")) != null ? Path.of(env.get("DISTIL4J_CACHE")) : xdg.resolve("distil4j");
        Path m2 = home.resolve(".m2");
        return new SourceSettings(hub, token, hubCache, offline, cache, m2.resolve("settings.xml"), m2, progress);
    }

    public SourceSettings withHubEndpoint(URI endpoint) {
        return new SourceSettings(endpoint, hubToken, hubCache, hubOffline, cacheDir, mavenSettings, mavenHome, progress);
    }

    public SourceSettings withHubOffline(boolean offline) {
        return new SourceSettings(hubEndpoint, hubToken, hubCache, offline, cacheDir, mavenSettings, mavenHome, progress);
    }

    public SourceSettings withHubToken(String token) {
        return new SourceSettings(hubEndpoint, token, hubCache, hubOffline, cacheDir, mavenSettings, mavenHome, progress);
    }

    public SourceSettings withMaven(Path settingsXml, Path home) {
        return new SourceSettings(hubEndpoint, hubToken, hubCache, hubOffline, cacheDir, settingsXml, home, progress);
    }

    /** huggingface_hub's truthy values for boolean variables. */
    static boolean truthy(String v) {
        return v != null && switch (v.trim().toUpperCase(Locale.ROOT)) {
            case "1", "ON", "YES", "TRUE" -> true;
            default -> false;
        };
    }

    private static String readToken(Path file) {
        try {
            return Files.isRegularFile(file) ? nonEmpty(Files.readString(file).trim()) : null;
        } catch (IOException e) {
            return null;
        }
    }

    private static String nonEmpty(String s) {
        return s == null || s.isBlank() ? null : s;
    }

    private static String stripSlash(String s) {
        return s.endsWith("/") ? s.substring(0, s.length() - 1) : s;
    }
}
