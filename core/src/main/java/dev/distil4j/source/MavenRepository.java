package dev.distil4j.source;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.ProxySelector;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Finds artifacts the way Maven does: first in the local repository (a hit needs no network), else
 * from Maven Central, or from the mirror the user's {@code settings.xml} names for it (with that
 * server's credentials and the active proxy). A download is checked against the repository's
 * {@code .sha1}, written beside its destination and renamed into the local repository, so Maven and
 * distil4j share it too.
 */
public final class MavenRepository {
    public static final String CENTRAL_ID = "central";
    public static final String CENTRAL_URL = "https://repo.maven.apache.org/maven2";

    private final MavenSettings settings;
    private final PrintStream progress;
    private Http http; // created on first download: a local hit needs no HTTP client

    /** @param progress where download progress is drawn, or null */
    public MavenRepository(MavenSettings settings, PrintStream progress) {
        this.settings = settings;
        this.progress = progress;
    }

    public MavenSettings settings() {
        return settings;
    }

    public Path localRepository() {
        return settings.localRepository();
    }

    /** Where the artifact lives (or would live) in the local repository. */
    public Path localPath(MavenCoordinate c) {
        return settings.localRepository().resolve(c.path());
    }

    /** The repository URL used for Maven Central: the matching mirror's, else Central itself. */
    public String remoteUrl() {
        MavenSettings.Mirror m = settings.mirrorFor(CENTRAL_ID, CENTRAL_URL);
        return m != null ? stripSlash(m.url()) : CENTRAL_URL;
    }

    /** The artifact's file in the local repository, downloaded and verified first when it is not there. */
    public Path resolve(MavenCoordinate c) {
        Path local = localPath(c);
        if (Files.isRegularFile(local)) return local;
        if (settings.offline()) {
            throw new ModelSourceException(c + " is not in the local Maven repository " + settings.localRepository()
                    + ", and settings.xml says offline");
        }
        MavenSettings.Mirror mirror = settings.mirrorFor(CENTRAL_ID, CENTRAL_URL);
        String base = remoteUrl();
        URI uri = URI.create(base + "/" + c.path());
        Map<String, String> headers = new LinkedHashMap<>();
        if (mirror != null) {
            MavenSettings.Server s = settings.server(mirror.id());
            if (s != null && s.username() != null) {
                String cred = s.username() + ":" + (s.password() == null ? "" : s.password());
                headers.put("Authorization", "Basic " + Base64.getEncoder().encodeToString(cred.getBytes(StandardCharsets.UTF_8)));
            }
        }
        try {
            Http h = http();
            Http.Response sha = h.follow("GET", URI.create(uri + ".sha1"), headers, false);
            if (sha.status() == 404) {
                throw new ModelSourceException(c + " is not in " + base + " (HTTP 404 for " + uri + ".sha1)");
            }
            if (sha.status() != 200) throw new ModelSourceException(uri + ".sha1: HTTP " + sha.status() + authHint(sha.status()));
            String expected = new String(sha.body(), StandardCharsets.US_ASCII).trim().split("\\s+")[0].toLowerCase();
            if (!expected.matches("[0-9a-f]{40}")) throw new ModelSourceException(uri + ".sha1 does not hold a sha1: '" + expected + "'");
            Files.createDirectories(local.getParent());
            Path part = local.resolveSibling(local.getFileName() + ".part");
            MessageDigest sha1 = sha1();
            try {
                h.download(uri, headers, part, -1, new Progress(progress, c.toString(), -1, 0), sha1);
            } catch (Http.HttpStatusException e) {
                throw new ModelSourceException(uri + ": HTTP " + e.status + authHint(e.status));
            }
            String actual = HexFormat.of().formatHex(sha1.digest());
            if (!actual.equals(expected)) {
                Files.deleteIfExists(part);
                throw new ModelSourceException(uri + ": downloaded file has sha1 " + actual + " but the repository says "
                        + expected + "; discarded");
            }
            Files.writeString(local.resolveSibling(local.getFileName() + ".sha1"), expected);
            HubCache.move(part, local);
            return local;
        } catch (Http.UnreachableException e) {
            throw new ModelSourceException(c + " is not in the local Maven repository " + settings.localRepository()
                    + " and " + e.getMessage() + "; set a reachable mirror in ~/.m2/settings.xml", e);
        } catch (IOException e) {
            throw new ModelSourceException(c + ": download from " + base + " failed: " + Http.describe(e), e);
        }
    }

    /** Recomputes a local file's sha1 and compares it with the {@code .sha1} beside it, when there is one. */
    public static boolean checksumMatches(Path file) throws IOException {
        Path sidecar = file.resolveSibling(file.getFileName() + ".sha1");
        if (!Files.isRegularFile(sidecar)) return true;
        String expected = Files.readString(sidecar).trim().split("\\s+")[0].toLowerCase();
        MessageDigest d = sha1();
        try (InputStream in = Files.newInputStream(file)) {
            byte[] buf = new byte[1 << 16];
            int n;
            while ((n = in.read(buf)) > 0) d.update(buf, 0, n);
        }
        return HexFormat.of().formatHex(d.digest()).equals(expected);
    }

    private static String authHint(int status) {
        return status == 401 || status == 403 ? " (check the <server> credentials for the mirror in ~/.m2/settings.xml)" : "";
    }

    private synchronized Http http() {
        if (http == null) {
            MavenSettings.Proxy p = settings.proxy();
            http = new Http(p == null ? null : ProxySelector.of(new InetSocketAddress(p.host(), p.port())));
        }
        return http;
    }

    private static MessageDigest sha1() {
        try {
            return MessageDigest.getInstance("SHA-1");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String stripSlash(String s) {
        return s.endsWith("/") ? s.substring(0, s.length() - 1) : s;
    }
}
