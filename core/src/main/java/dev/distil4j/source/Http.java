package dev.distil4j.source;

import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.ProxySelector;
import java.net.URI;
import java.net.UnknownHostException;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.UnresolvedAddressException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalLong;

/**
 * The little HTTP the model sources need, on the JDK client: metadata requests, and resumable
 * downloads that survive a dropped connection. Redirects are followed by hand so that credentials
 * never travel to another host (the hub redirects large files to a CDN).
 */
final class Http {
    private static final int MAX_REDIRECTS = 5;
    private static final int MAX_RESUMES = 5;
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(30);

    /** A response whose body, if any, was read into memory. */
    record Response(int status, HttpHeaders headers, URI uri, byte[] body) {
        String header(String name) {
            return headers.firstValue(name).orElse(null);
        }

        OptionalLong longHeader(String name) {
            String v = header(name);
            if (v == null) return OptionalLong.empty();
            try {
                return OptionalLong.of(Long.parseLong(v.trim()));
            } catch (NumberFormatException e) {
                return OptionalLong.empty();
            }
        }
    }

    /** The server could not be reached at all (no DNS, connection refused, connect timeout): callers fall back to caches. */
    static final class UnreachableException extends IOException {
        UnreachableException(URI uri, Throwable cause) {
            super("cannot connect to " + uri.getScheme() + "://" + uri.getAuthority() + " (" + describe(cause) + ")", cause);
        }
    }

    private final HttpClient client;
    private final String userAgent;

    Http(ProxySelector proxy) {
        HttpClient.Builder b = HttpClient.newBuilder()
                .followRedirects(HttpClient.Redirect.NEVER)
                .connectTimeout(Duration.ofSeconds(10))
                .version(HttpClient.Version.HTTP_1_1);
        if (proxy != null) b.proxy(proxy);
        this.client = b.build();
        this.userAgent = "distil4j/0.1; java/" + Runtime.version().feature();
    }

    /** One request, no redirect handling. {@code HEAD} and small {@code GET}s only (the body is read whole). */
    Response send(String method, URI uri, Map<String, String> headers) throws IOException {
        HttpRequest.Builder rb = HttpRequest.newBuilder(uri).timeout(REQUEST_TIMEOUT).header("User-Agent", userAgent);
        headers.forEach(rb::header);
        rb.method(method, HttpRequest.BodyPublishers.noBody());
        try {
            HttpResponse<byte[]> r = client.send(rb.build(), HttpResponse.BodyHandlers.ofByteArray());
            return new Response(r.statusCode(), r.headers(), uri, r.body());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        } catch (IOException e) {
            throw unreachable(uri, e) ? new UnreachableException(uri, e) : e;
        }
    }

    /**
     * Sends, following redirects: all of them when {@code relativeOnly} is false (credentials are
     * dropped when the host changes), only same-host ones otherwise (then a redirect elsewhere is
     * returned as is, so the caller can read its headers, as huggingface_hub does for file metadata).
     */
    Response follow(String method, URI uri, Map<String, String> headers, boolean relativeOnly) throws IOException {
        Map<String, String> h = new LinkedHashMap<>(headers);
        URI at = uri;
        for (int hop = 0; ; hop++) {
            Response r = send(method, at, h);
            if (r.status < 300 || r.status > 399 || r.header("Location") == null) return r;
            if (hop == MAX_REDIRECTS) throw new IOException(uri + ": too many redirects");
            URI next = at.resolve(r.header("Location"));
            boolean sameHost = Objects.equals(next.getHost(), at.getHost()) && next.getPort() == at.getPort();
            if (relativeOnly && !sameHost) return r;
            if (!sameHost) h.remove("Authorization");
            at = next;
        }
    }

    /**
     * Downloads {@code uri} into {@code partial}, appending to what it already holds (a {@code Range}
     * request), and resuming again when the connection drops mid-body. Every digest is updated over
     * the whole file, the part already on disk included.
     *
     * @param expectedSize bytes the complete file has, or -1 when unknown
     * @return the final size
     */
    long download(URI uri, Map<String, String> headers, Path partial, long expectedSize, Progress progress,
                  MessageDigest... digests) throws IOException {
        long have = Files.exists(partial) ? Files.size(partial) : 0;
        if (expectedSize >= 0 && have > expectedSize) {
            Files.delete(partial);
            have = 0;
        }
        if (have > 0) hashExisting(partial, digests);
        Progress p = progress != null ? progress : new Progress(null, "", -1, 0);
        p.advance(have);
        IOException lastError = null;
        boolean complete = false;
        for (int attempt = 0; attempt <= MAX_RESUMES && !complete; attempt++) {
            if (expectedSize >= 0 && have == expectedSize) break;
            Map<String, String> h = new LinkedHashMap<>(headers);
            h.put("Accept-Encoding", "identity");
            if (have > 0) h.put("Range", "bytes=" + have + "-");
            HttpResponse<InputStream> r = openFollowing(uri, h);
            int status = r.statusCode();
            try (InputStream body = r.body()) {
                if (status == 416 && have > 0) { // nothing left to send: complete as far as the server knows
                    complete = true;
                    break;
                }
                if (status == 206 && rangeStart(r.headers()) != have) {
                    throw new IOException(r.uri() + ": asked for bytes from " + have + ", got Content-Range "
                            + r.headers().firstValue("Content-Range").orElse("(none)"));
                }
                if (status == 200 && have > 0) { // the server ignored the range: start over
                    Files.delete(partial);
                    have = 0;
                    for (MessageDigest d : digests) d.reset();
                } else if (status != 200 && status != 206) {
                    throw new HttpStatusException(r.uri(), status, r.headers(), body.readNBytes(4096));
                }
                try (FileChannel out = FileChannel.open(partial, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                        StandardOpenOption.APPEND)) {
                    byte[] buf = new byte[1 << 16];
                    int n;
                    while ((n = body.read(buf)) > 0) {
                        ByteBuffer bb = ByteBuffer.wrap(buf, 0, n);
                        while (bb.hasRemaining()) out.write(bb);
                        for (MessageDigest d : digests) d.update(buf, 0, n);
                        have += n;
                        p.advance(n);
                    }
                }
                complete = expectedSize < 0 || have == expectedSize; // the body ended without an error
            } catch (HttpStatusException e) {
                throw e;
            } catch (IOException e) { // dropped connection: resume from what arrived
                lastError = e;
            }
        }
        p.finish();
        if (!complete && !(expectedSize >= 0 && have == expectedSize)) {
            throw new IOException(uri + ": download stopped at " + have + (expectedSize >= 0 ? " of " + expectedSize : "")
                    + " bytes" + (lastError != null ? " (" + describe(lastError) + ")" : "") + "; run again to resume");
        }
        return have;
    }

    private HttpResponse<InputStream> openFollowing(URI uri, Map<String, String> headers) throws IOException {
        Map<String, String> h = new LinkedHashMap<>(headers);
        URI at = uri;
        for (int hop = 0; ; hop++) {
            HttpRequest.Builder rb = HttpRequest.newBuilder(at).header("User-Agent", userAgent).GET();
            h.forEach(rb::header);
            HttpResponse<InputStream> r;
            try {
                r = client.send(rb.build(), HttpResponse.BodyHandlers.ofInputStream());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted", e);
            } catch (IOException e) {
                throw unreachable(at, e) ? new UnreachableException(at, e) : e;
            }
            String loc = r.headers().firstValue("Location").orElse(null);
            if (r.statusCode() < 300 || r.statusCode() > 399 || loc == null) return r;
            r.body().close();
            if (hop == MAX_REDIRECTS) throw new IOException(uri + ": too many redirects");
            URI next = at.resolve(loc);
            if (!(Objects.equals(next.getHost(), at.getHost()) && next.getPort() == at.getPort())) h.remove("Authorization");
            at = next;
        }
    }

    /** The first byte of a {@code Content-Range: bytes START-END/TOTAL} header, or -1. */
    private static long rangeStart(HttpHeaders h) {
        String v = h.firstValue("Content-Range").orElse("");
        int sp = v.indexOf(' '), dash = v.indexOf('-');
        try {
            return sp >= 0 && dash > sp ? Long.parseLong(v.substring(sp + 1, dash).trim()) : -1;
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private static void hashExisting(Path file, MessageDigest[] digests) throws IOException {
        if (digests.length == 0) return;
        try (InputStream in = Files.newInputStream(file)) {
            byte[] buf = new byte[1 << 16];
            int n;
            while ((n = in.read(buf)) > 0) for (MessageDigest d : digests) d.update(buf, 0, n);
        }
    }

    /** A non-success status with the response's headers, for callers that map hub error codes. */
    static final class HttpStatusException extends IOException {
        final URI uri;
        final int status;
        final transient HttpHeaders headers;
        final byte[] body;

        HttpStatusException(URI uri, int status, HttpHeaders headers, byte[] body) {
            super(uri + " answered HTTP " + status);
            this.uri = uri;
            this.status = status;
            this.headers = headers;
            this.body = body;
        }
    }

    static boolean unreachable(URI uri, Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof ConnectException || t instanceof UnknownHostException || t instanceof UnresolvedAddressException
                    || t instanceof HttpConnectTimeoutException) {
                return true;
            }
        }
        return false;
    }

    static String describe(Throwable e) {
        // the JDK wraps the cause (a ConnectException around an UnresolvedAddressException): look down the whole chain
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof UnresolvedAddressException || t instanceof UnknownHostException) return "host not found";
        }
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof HttpConnectTimeoutException) return "connection timed out";
        }
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof ConnectException) return "connection refused";
        }
        Throwable root = e;
        while (root.getCause() != null && root.getMessage() == null) root = root.getCause();
        String m = root.getMessage();
        return root.getClass().getSimpleName() + (m != null ? ": " + m : "");
    }
}
