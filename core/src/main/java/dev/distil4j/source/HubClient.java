package dev.distil4j.source;

import com.fasterxml.jackson.databind.JsonNode;
import dev.distil4j.io.JsonInput;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Talks to the Hugging Face hub ({@code HF_ENDPOINT}) the way {@code huggingface_hub} does and
 * stores what it fetches in the shared {@link HubCache}:
 *
 * <ul>
 *   <li>{@code GET /api/models/REPO/revision/REV} gives the commit ({@code sha}) and the file list ({@code siblings});</li>
 *   <li>{@code HEAD /REPO/resolve/COMMIT/FILE}, following only same-host redirects, gives
 *       {@code X-Repo-Commit}, the ETag ({@code X-Linked-Etag} before {@code ETag}), the size
 *       ({@code X-Linked-Size} before {@code Content-Length}) and, for LFS files, the CDN
 *       {@code Location};</li>
 *   <li>the file is downloaded to {@code blobs/ETAG.incomplete} (resumed with a {@code Range} request),
 *       checked (sha256 = ETag for LFS files; git blob sha1 = ETag otherwise; size), renamed to
 *       {@code blobs/ETAG} and linked from {@code snapshots/COMMIT/FILE}.</li>
 * </ul>
 * Errors follow the hub's {@code X-Error-Code} header (RepoNotFound, GatedRepo, RevisionNotFound, EntryNotFound).
 */
final class HubClient {
    private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");
    private static final Pattern SHA1 = Pattern.compile("[0-9a-f]{40}");

    /** What the API says about a revision. */
    record RepoInfo(String commit, List<String> files) {}

    /** A file in the snapshot, and how many bytes had to be downloaded for it (0 for a cache hit). */
    record Fetched(Path path, long downloaded) {}

    /** What a HEAD on a file says. */
    record FileMeta(String file, String commit, String etag, long size, URI location) {}

    private final SourceSettings settings;
    private final Http http;
    private final HubCache cache;

    HubClient(SourceSettings settings, Http http, HubCache cache) {
        this.settings = settings;
        this.http = http;
        this.cache = cache;
    }

    private Map<String, String> auth() {
        Map<String, String> h = new LinkedHashMap<>();
        if (settings.hubToken() != null) h.put("Authorization", "Bearer " + settings.hubToken());
        return h;
    }

    private URI endpoint(String path) {
        return URI.create(settings.hubEndpoint() + path);
    }

    RepoInfo info(String repo, String revision) throws IOException {
        URI uri = endpoint("/api/models/" + repo + "/revision/" + encode(revision));
        Http.Response r = http.follow("GET", uri, auth(), true);
        if (r.status() != 200) throw error(r.status(), r.header("X-Error-Code"), r.header("X-Error-Message"), repo, revision, null);
        JsonNode root = JsonInput.parse(uri + ": the hub's answer", r.body(), ModelSourceException::new);
        String sha = root.path("sha").asText(null);
        if (sha == null || !HubCache.COMMIT.matcher(sha).matches()) {
            throw new ModelSourceException(uri + ": the hub's answer has no commit hash (\"sha\")");
        }
        List<String> files = new ArrayList<>();
        for (JsonNode s : root.path("siblings")) {
            String f = s.path("rfilename").asText(null);
            if (f != null) files.add(f);
        }
        return new RepoInfo(sha, files);
    }

    FileMeta head(String repo, String commit, String file) throws IOException {
        URI uri = endpoint("/" + repo + "/resolve/" + commit + "/" + encodePath(file));
        Map<String, String> h = auth();
        h.put("Accept-Encoding", "identity");
        Http.Response r = http.follow("HEAD", uri, h, true);
        if (r.status() >= 400) {
            if (r.status() == 404 && "EntryNotFound".equals(r.header("X-Error-Code")) && r.header("X-Repo-Commit") != null) {
                cache.markMissing(repo, r.header("X-Repo-Commit"), file);
            }
            throw error(r.status(), r.header("X-Error-Code"), r.header("X-Error-Message"), repo, commit, file);
        }
        String repoCommit = r.header("X-Repo-Commit");
        if (repoCommit == null) {
            throw new ModelSourceException(uri + ": no X-Repo-Commit header; " + settings.hubEndpoint()
                    + " does not look like a Hugging Face hub");
        }
        String etag = normalizeEtag(r.header("X-Linked-Etag") != null ? r.header("X-Linked-Etag") : r.header("ETag"));
        if (etag == null) throw new ModelSourceException(uri + ": no ETag; cannot verify or cache the file");
        if (!etag.matches("[A-Za-z0-9._-]+")) throw new ModelSourceException(uri + ": unusable ETag '" + etag + "'");
        long size = r.longHeader("X-Linked-Size").orElse(r.longHeader("Content-Length").orElse(-1));
        URI location = r.status() >= 300 && r.header("Location") != null ? r.uri().resolve(r.header("Location")) : r.uri();
        return new FileMeta(file, repoCommit, etag, size, location);
    }

    /**
     * Makes {@code snapshots/COMMIT/FILE} exist: a no-op when it does, a link when the blob is
     * already cached (another revision had the same file), else a verified download.
     */
    Fetched fetch(String repo, String commit, String file) throws IOException {
        if (file.startsWith("/") || file.contains("\\") || List.of(file.split("/")).contains("..")) {
            throw new ModelSourceException("'" + repo + "' lists a file named '" + file + "', which would escape the cache");
        }
        Path pointer = cache.snapshot(repo, commit).resolve(file);
        if (Files.exists(pointer)) return new Fetched(pointer, 0);
        FileMeta meta = head(repo, commit, file);
        if (Files.isRegularFile(cache.blob(repo, meta.etag))) return new Fetched(cache.link(repo, commit, file, meta.etag), 0);
        // one download per blob at a time, across distil4j processes (at huggingface_hub's lock path)
        Path lockFile = cache.root().resolve(".locks").resolve(HubCache.folderName(repo)).resolve(meta.etag + ".lock");
        Files.createDirectories(lockFile.getParent());
        try (FileChannel lockChannel = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
             FileLock ignored = lockChannel.lock()) {
            if (Files.isRegularFile(cache.blob(repo, meta.etag))) { // another process finished it meanwhile
                return new Fetched(cache.link(repo, commit, file, meta.etag), 0);
            }
            return download(repo, commit, file, meta);
        } catch (OverlappingFileLockException e) {
            throw new ModelSourceException(repo + "/" + file + " is being downloaded by another thread of this process; retry");
        }
    }

    private Fetched download(String repo, String commit, String file, FileMeta meta) throws IOException {
        Path part = cache.incomplete(repo, meta.etag);
        Files.createDirectories(part.getParent());
        MessageDigest sha256 = digest("SHA-256"), sha1 = digest("SHA-1");
        boolean lfs = SHA256.matcher(meta.etag).matches();
        boolean gitBlob = !lfs && SHA1.matcher(meta.etag).matches() && meta.size >= 0;
        if (gitBlob) sha1.update(("blob " + meta.size + "\0").getBytes(StandardCharsets.US_ASCII));
        Progress progress = new Progress(settings.progress(), repo + "/" + file, meta.size, 0);
        // like huggingface_hub: the token goes to the hub only, never to the CDN a large file redirects to
        URI hubUri = settings.hubEndpoint();
        boolean toHub = java.util.Objects.equals(meta.location.getHost(), hubUri.getHost())
                && meta.location.getPort() == hubUri.getPort();
        Map<String, String> h = toHub ? auth() : new LinkedHashMap<>();
        long size;
        try {
            size = http.download(meta.location, h, part, meta.size, progress, lfs ? new MessageDigest[] {sha256}
                    : gitBlob ? new MessageDigest[] {sha1} : new MessageDigest[0]);
        } catch (Http.HttpStatusException e) {
            throw error(e.status, e.headers.firstValue("X-Error-Code").orElse(null),
                    e.headers.firstValue("X-Error-Message").orElse(null), repo, commit, file);
        }
        String actual = lfs ? HexFormat.of().formatHex(sha256.digest()) : gitBlob ? HexFormat.of().formatHex(sha1.digest()) : null;
        if (actual != null && !actual.equals(meta.etag)) {
            Files.deleteIfExists(part);
            throw new ModelSourceException(repo + "/" + file + " at " + commit + ": downloaded content has "
                    + (lfs ? "sha256 " : "git sha1 ") + actual + " but the hub's ETag says " + meta.etag
                    + "; the file was discarded, not cached (a proxy or mirror altered it?)");
        }
        cache.storeBlob(repo, meta.etag, part);
        return new Fetched(cache.link(repo, commit, file, meta.etag), size);
    }

    private ModelSourceException error(int status, String code, String hubMessage, String repo, String revision, String file) {
        String what = file == null ? "'" + repo + "'" : "'" + file + "' in '" + repo + "'";
        String detail = hubMessage != null ? " (hub: " + hubMessage + ")" : "";
        String token = settings.hubToken() != null ? "check that HF_TOKEN grants access" : "set HF_TOKEN to a token with access";
        if ("GatedRepo".equals(code)) {
            return new ModelSourceException("'" + repo + "' is gated: accept its conditions at " + settings.hubEndpoint() + "/"
                    + repo + " and " + token + detail);
        }
        if ("RevisionNotFound".equals(code)) {
            return new ModelSourceException("revision '" + revision + "' does not exist in '" + repo + "'" + detail);
        }
        if ("EntryNotFound".equals(code) || (status == 404 && file != null && code == null)) {
            return new ModelSourceException(what + " does not exist at revision " + revision + detail);
        }
        if ("RepoNotFound".equals(code) || status == 401 || status == 404) {
            return new ModelSourceException("model '" + repo + "' not found on " + settings.hubEndpoint()
                    + " (HTTP " + status + "), or it is private: check the name, or " + token + detail);
        }
        if (status == 403) return new ModelSourceException("access to " + what + " refused (HTTP 403): " + token + detail);
        if (status == 429) return new ModelSourceException("the hub is rate-limiting requests (HTTP 429); retry later" + detail);
        return new ModelSourceException("the hub answered HTTP " + status + " for " + what + detail);
    }

    /** huggingface_hub's {@code _normalize_etag}: drop a weak marker and the quotes. */
    static String normalizeEtag(String etag) {
        if (etag == null) return null;
        String e = etag.trim();
        if (e.startsWith("W/")) e = e.substring(2);
        if (e.length() >= 2 && e.startsWith("\"") && e.endsWith("\"")) e = e.substring(1, e.length() - 1);
        return e.isEmpty() ? null : e;
    }

    private static MessageDigest digest(String alg) {
        try {
            return MessageDigest.getInstance(alg);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(alg + " is part of every JDK", e);
        }
    }

    private static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private static String encodePath(String file) {
        StringBuilder sb = new StringBuilder();
        for (String part : file.split("/")) {
            if (!sb.isEmpty()) sb.append('/');
            sb.append(encode(part));
        }
        return sb.toString();
    }
}
