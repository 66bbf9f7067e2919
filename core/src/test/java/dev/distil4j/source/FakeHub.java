package dev.distil4j.source;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A Hugging Face hub on 127.0.0.1 that answers as the real one does: the model API
 * ({@code sha}, {@code siblings}), {@code resolve} URLs with {@code X-Repo-Commit}, git-sha1 ETags for
 * regular files and, for LFS files, a 302 to a separate "CDN" server with {@code X-Linked-Etag}
 * (sha256) and {@code X-Linked-Size}; {@code X-Error-Code} 401/404 errors; Range requests on the CDN.
 * Faults can be injected: a connection cut mid-file, corrupted content.
 */
final class FakeHub implements AutoCloseable {
    /** One commit of a repository: file name → content; names in {@code lfs} are served through the CDN. */
    record Commit(String sha, Map<String, byte[]> files, Set<String> lfs) {}

    private static final class Repo {
        final Map<String, Commit> commits = new LinkedHashMap<>();
        final Map<String, String> refs = new LinkedHashMap<>();
        String token; // required bearer token, or null for public
        boolean gated;
        String renamedTo;
    }

    private final HttpServer hub, cdn;
    private final Map<String, Repo> repos = new ConcurrentHashMap<>();
    private final Map<String, byte[]> lfsBlobs = new ConcurrentHashMap<>();
    final List<String> requests = new CopyOnWriteArrayList<>();
    final List<String> cdnAuthorizations = new CopyOnWriteArrayList<>();
    final List<String> ranges = new CopyOnWriteArrayList<>();
    final AtomicInteger cutAfterBytes = new AtomicInteger(-1); // next CDN GET sends only this many bytes, then drops
    volatile boolean corruptCdn;

    FakeHub() throws IOException {
        InetSocketAddress any = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
        hub = HttpServer.create(any, 0);
        cdn = HttpServer.create(any, 0);
        hub.createContext("/", this::handleHub);
        cdn.createContext("/", this::handleCdn);
        hub.start();
        cdn.start();
    }

    URI endpoint() {
        return URI.create("http://127.0.0.1:" + hub.getAddress().getPort());
    }

    void addCommit(String repo, String branchOrTag, Commit c) {
        Repo r = repos.computeIfAbsent(repo, k -> new Repo());
        r.commits.put(c.sha, c);
        r.refs.put(branchOrTag, c.sha);
        for (String f : c.lfs) lfsBlobs.put(sha256(c.files.get(f)), c.files.get(f));
    }

    void tag(String repo, String tag, String sha) {
        repos.get(repo).refs.put(tag, sha);
    }

    void requireToken(String repo, String token) {
        repos.get(repo).token = token;
    }

    void gate(String repo) {
        repos.get(repo).gated = true;
    }

    /** Requests to {@code oldName} redirect (relatively) to {@code newName}, as the hub does for renamed repos. */
    void rename(String oldName, String newName) {
        Repo r = new Repo();
        r.renamedTo = newName;
        repos.put(oldName, r);
    }

    int requestCount() {
        return requests.size();
    }

    List<String> requestsMatching(String part) {
        List<String> out = new ArrayList<>();
        for (String r : requests) if (r.contains(part)) out.add(r);
        return out;
    }

    private void handleHub(HttpExchange ex) throws IOException {
        String method = ex.getRequestMethod();
        String path = URLDecoder.decode(ex.getRequestURI().getRawPath(), StandardCharsets.UTF_8);
        requests.add(method + " " + path);
        try (ex) {
            if (path.startsWith("/api/models/")) {
                api(ex, path.substring("/api/models/".length()));
            } else {
                resolve(ex, method, path.substring(1));
            }
        }
    }

    private void api(HttpExchange ex, String rest) throws IOException {
        int rev = rest.indexOf("/revision/");
        String repoId = rev < 0 ? rest : rest.substring(0, rev);
        String revision = rev < 0 ? "main" : rest.substring(rev + "/revision/".length());
        Repo repo = repos.get(repoId);
        if (repo != null && repo.renamedTo != null) {
            ex.getResponseHeaders().set("Location", "/api/models/" + repo.renamedTo + "/revision/" + revision);
            ex.sendResponseHeaders(307, -1);
            return;
        }
        if (repo == null || !authorized(ex, repo)) {
            error(ex, 401, "RepoNotFound", "Repository Not Found for url: " + ex.getRequestURI() + ".", null);
            return;
        }
        Commit c = commit(repo, revision);
        if (c == null) {
            error(ex, 404, "RevisionNotFound", "Invalid rev id: " + revision, null);
            return;
        }
        StringBuilder json = new StringBuilder("{\"_id\":\"x\",\"id\":\"" + repoId + "\",\"private\":" + (repo.token != null)
                + ",\"gated\":" + (repo.gated ? "\"auto\"" : "false") + ",\"sha\":\"" + c.sha + "\",\"siblings\":[");
        int i = 0;
        for (String f : c.files.keySet()) json.append(i++ > 0 ? "," : "").append("{\"rfilename\":\"").append(f).append("\"}");
        json.append("]}");
        byte[] body = json.toString().getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", "application/json");
        ex.sendResponseHeaders(200, body.length);
        ex.getResponseBody().write(body);
    }

    private void resolve(HttpExchange ex, String method, String path) throws IOException {
        int r = path.indexOf("/resolve/");
        if (r < 0) {
            ex.sendResponseHeaders(404, -1);
            return;
        }
        String repoId = path.substring(0, r);
        String rest = path.substring(r + "/resolve/".length());
        int slash = rest.indexOf('/');
        String revision = rest.substring(0, slash), file = rest.substring(slash + 1);
        Repo repo = repos.get(repoId);
        if (repo != null && repo.renamedTo != null) {
            ex.getResponseHeaders().set("Location", "/" + repo.renamedTo + "/resolve/" + rest);
            ex.sendResponseHeaders(307, -1);
            return;
        }
        if (repo == null || !authorized(ex, repo)) {
            error(ex, 401, "RepoNotFound", "Repository Not Found", null);
            return;
        }
        if (repo.gated && repo.token == null && ex.getRequestHeaders().getFirst("Authorization") == null) {
            error(ex, 401, "GatedRepo", "Access to model " + repoId + " is restricted. You must be authenticated to access it.", null);
            return;
        }
        Commit c = commit(repo, revision);
        if (c == null) {
            error(ex, 404, "RevisionNotFound", "Invalid rev id: " + revision, null);
            return;
        }
        byte[] content = c.files.get(file);
        if (content == null) {
            error(ex, 404, "EntryNotFound", file + " does not exist on \"" + revision + "\"", c.sha);
            return;
        }
        var h = ex.getResponseHeaders();
        h.set("X-Repo-Commit", c.sha);
        if (c.lfs.contains(file)) {
            String sha = sha256(content);
            byte[] pointer = ("version https://git-lfs.github.com/spec/v1\noid sha256:" + sha + "\nsize " + content.length + "\n")
                    .getBytes(StandardCharsets.US_ASCII);
            h.set("ETag", "\"" + gitSha1(pointer) + "\"");
            h.set("X-Linked-Etag", "\"" + sha + "\"");
            h.set("X-Linked-Size", String.valueOf(content.length));
            h.set("Location", "http://127.0.0.1:" + cdn.getAddress().getPort() + "/repos/ab/cd/" + sha + "?X-Amz-Signature=abc");
            h.set("Content-Length", String.valueOf(pointer.length));
            ex.sendResponseHeaders(302, -1);
            return;
        }
        h.set("ETag", "W/\"" + gitSha1(content) + "\""); // weak, as the hub sends some: clients strip W/ and quotes
        if (method.equals("HEAD")) {
            h.set("Content-Length", String.valueOf(content.length));
            ex.sendResponseHeaders(200, -1);
        } else {
            ex.sendResponseHeaders(200, content.length);
            ex.getResponseBody().write(content);
        }
    }

    private void handleCdn(HttpExchange ex) throws IOException {
        String path = ex.getRequestURI().getPath();
        requests.add("CDN " + ex.getRequestMethod() + " " + path);
        String auth = ex.getRequestHeaders().getFirst("Authorization");
        if (auth != null) cdnAuthorizations.add(auth);
        try (ex) {
            byte[] blob = lfsBlobs.get(path.substring(path.lastIndexOf('/') + 1));
            if (blob == null) {
                ex.sendResponseHeaders(404, -1);
                return;
            }
            if (corruptCdn) {
                blob = blob.clone();
                blob[blob.length / 2] ^= 0x55;
            }
            long start = 0;
            String range = ex.getRequestHeaders().getFirst("Range");
            if (range != null) {
                ranges.add(range);
                start = Long.parseLong(range.substring("bytes=".length(), range.indexOf('-')));
                if (start >= blob.length) {
                    ex.getResponseHeaders().set("Content-Range", "bytes */" + blob.length);
                    ex.sendResponseHeaders(416, -1);
                    return;
                }
                ex.getResponseHeaders().set("Content-Range", "bytes " + start + "-" + (blob.length - 1) + "/" + blob.length);
            }
            int len = (int) (blob.length - start);
            ex.getResponseHeaders().set("ETag", "\"" + sha256(lfsBlobs.get(path.substring(path.lastIndexOf('/') + 1))) + "\"");
            ex.sendResponseHeaders(range != null ? 206 : 200, len);
            OutputStream os = ex.getResponseBody();
            int cut = cutAfterBytes.getAndSet(-1);
            if (cut >= 0 && cut < len) {
                os.write(blob, (int) start, cut);
                os.flush();
                return; // closing the exchange with bytes missing drops the connection
            }
            os.write(blob, (int) start, len);
        } catch (IOException expected) {
            // the cut connection
        }
    }

    private static boolean authorized(HttpExchange ex, Repo repo) {
        return repo.token == null || ("Bearer " + repo.token).equals(ex.getRequestHeaders().getFirst("Authorization"));
    }

    private static Commit commit(Repo repo, String revision) {
        String sha = repo.refs.getOrDefault(revision, revision);
        return repo.commits.get(sha);
    }

    private static void error(HttpExchange ex, int status, String code, String message, String commit) throws IOException {
        ex.getResponseHeaders().set("X-Error-Code", code);
        ex.getResponseHeaders().set("X-Error-Message", message);
        if (commit != null) ex.getResponseHeaders().set("X-Repo-Commit", commit);
        byte[] body = ("{\"error\":\"" + message.replace("\"", "'") + "\"}").getBytes(StandardCharsets.UTF_8);
        if (ex.getRequestMethod().equals("HEAD")) {
            ex.sendResponseHeaders(status, -1);
        } else {
            ex.sendResponseHeaders(status, body.length);
            ex.getResponseBody().write(body);
        }
    }

    static String sha256(byte[] b) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** Git's blob id: sha1("blob SIZE\0" + content). */
    static String gitSha1(byte[] b) {
        try {
            MessageDigest d = MessageDigest.getInstance("SHA-1");
            d.update(("blob " + b.length + "\0").getBytes(StandardCharsets.US_ASCII));
            return HexFormat.of().formatHex(d.digest(b));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    static Commit commit(String sha, Map<String, byte[]> files, String... lfs) {
        return new Commit(sha, Collections.unmodifiableMap(new LinkedHashMap<>(files)), Set.of(lfs));
    }

    @Override
    public void close() {
        hub.stop(0);
        cdn.stop(0);
    }
}
