package dev.distil4j.source;

import com.sun.net.httpserver.HttpServer;
import dev.distil4j.model.Model;
import dev.distil4j.testutil.Bounds;
import dev.distil4j.testutil.Goldens;
import dev.distil4j.testutil.RawZip;
import dev.distil4j.testutil.Shared;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The Maven resolver against a repository manager (a mirror in settings.xml) on 127.0.0.1. */
class MavenTest {
    @TempDir
    Path tmp;
    private HttpServer server;
    private final Map<String, byte[]> files = new ConcurrentHashMap<>();
    private final List<String> requests = new CopyOnWriteArrayList<>();
    private final List<String> auth = new CopyOnWriteArrayList<>();

    @BeforeEach
    void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", ex -> {
            requests.add(ex.getRequestURI().getPath());
            String a = ex.getRequestHeaders().getFirst("Authorization");
            if (a != null) auth.add(a);
            try (ex) {
                if (!"Basic ZGV2OnMzY3JldA==".equals(a)) { // dev:s3cret
                    ex.sendResponseHeaders(401, -1);
                    return;
                }
                byte[] b = files.get(ex.getRequestURI().getPath().substring("/maven-public".length()));
                if (b == null) {
                    ex.sendResponseHeaders(404, -1);
                    return;
                }
                ex.sendResponseHeaders(200, b.length);
                try (OutputStream os = ex.getResponseBody()) {
                    os.write(b);
                }
            }
        });
        server.start();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    private ModelSource source(boolean withCredentials) throws IOException {
        Path home = Files.createDirectories(tmp.resolve("home"));
        Path settings = home.resolve("settings.xml");
        Files.writeString(settings, """
                <?xml version="1.0" encoding="UTF-8"?>
                <settings xmlns="http://maven.apache.org/SETTINGS/1.0.0">
                  <localRepository>${user.home}/m2repo</localRepository>
                  <mirrors>
                    <mirror>
                      <id>corp</id>
                      <mirrorOf>*</mirrorOf>
                      <url>http://127.0.0.1:%d/maven-public/</url>
                    </mirror>
                  </mirrors>
                  <servers>%s</servers>
                </settings>
                """.formatted(server.getAddress().getPort(),
                withCredentials ? "<server><id>corp</id><username>dev</username><password>s3cret</password></server>" : ""));
        SourceSettings s = SourceSettings.from(Map.of("HF_HUB_OFFLINE", "1", "DISTIL4J_CACHE", tmp.resolve("d4j").toString(),
                "HF_HOME", tmp.resolve("hf").toString()), home, null).withMaven(settings, home.resolve(".m2"));
        return new ModelSource(s);
    }

    /** A jar that packs a Hugging Face model directory under {@code models/tiny/}. */
    private byte[] modelJar() throws IOException {
        Path dir = Shared.path("fixtures/hf-tiny-distilbert");
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        try (ZipOutputStream z = new ZipOutputStream(bytes)) {
            z.putNextEntry(new ZipEntry("META-INF/MANIFEST.MF"));
            z.write("Manifest-Version: 1.0\n".getBytes(StandardCharsets.US_ASCII));
            for (String f : List.of("config.json", "model.safetensors", "tokenizer.json", "tokenizer_config.json")) {
                z.putNextEntry(new ZipEntry("models/tiny/" + f));
                z.write(Files.readAllBytes(dir.resolve(f)));
            }
        }
        return bytes.toByteArray();
    }

    private void publish(String path, byte[] jar, String sha1) {
        files.put("/" + path, jar);
        files.put("/" + path + ".sha1", (sha1 + "  " + path.substring(path.lastIndexOf('/') + 1) + "\n").getBytes(StandardCharsets.US_ASCII));
    }

    private static String sha1(byte[] b) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1").digest(b));
    }

    @Test
    void downloadsThroughTheMirrorVerifiesAndCachesInTheLocalRepository() throws Exception {
        byte[] jar = modelJar();
        MavenCoordinate c = MavenCoordinate.parse("org.example.models:tiny-distilbert:1.2");
        publish(c.path(), jar, sha1(jar));
        ModelSource src = source(true);
        ResolvedModel r = src.resolve("maven:org.example.models:tiny-distilbert:1.2");
        assertEquals(ResolvedModel.Origin.MAVEN, r.origin());
        Path local = tmp.resolve("home/m2repo/org/example/models/tiny-distilbert/1.2/tiny-distilbert-1.2.jar");
        assertArrayEquals(jar, Files.readAllBytes(local));
        assertEquals(sha1(jar), Files.readString(local.resolveSibling("tiny-distilbert-1.2.jar.sha1")));
        assertTrue(auth.stream().allMatch(a -> a.equals("Basic ZGV2OnMzY3JldA==")));
        try (Model m = Model.load(r.directory())) {
            Goldens.Case c0 = Goldens.cases(Shared.path("fixtures/hf-tiny-distilbert/goldens")).get(0);
            Goldens.assertClose("from jar", c0.output("last_hidden_state").data(), m.forward(c0.input()).lastHiddenState().data(),
                    1e-4, 1e-5);
        }
        // again: the imported directory, then the local repository, answer without the network
        int before = requests.size();
        assertEquals(r.directory(), source(true).resolve("maven:org.example.models:tiny-distilbert:1.2").directory());
        assertEquals(local, src.maven().resolve(c));
        assertEquals(before, requests.size());
    }

    @Test
    void checksumMismatchIsRejected() throws Exception {
        byte[] jar = modelJar();
        MavenCoordinate c = MavenCoordinate.parse("org.example:bad:1");
        publish(c.path(), jar, "0123456789abcdef0123456789abcdef01234567");
        ModelSourceException e = assertThrows(ModelSourceException.class, () -> source(true).resolve("maven:" + c));
        assertTrue(e.getMessage().contains("sha1") && e.getMessage().contains("discarded"), e.getMessage());
        Path local = tmp.resolve("home/m2repo/" + c.path());
        assertFalse(Files.exists(local));
        assertFalse(Files.exists(local.resolveSibling(local.getFileName() + ".part")));
    }

    @Test
    void missingArtifactAndBadCredentialsAreClear() throws Exception {
        ModelSourceException e = assertThrows(ModelSourceException.class, () -> source(true).resolve("maven:org.example:none:1"));
        assertTrue(e.getMessage().contains("not in http://127.0.0.1") && e.getMessage().contains("404"), e.getMessage());
        byte[] jar = modelJar();
        publish("org/example/x/1/x-1.jar", jar, sha1(jar));
        ModelSourceException noAuth = assertThrows(ModelSourceException.class, () -> source(false).resolve("maven:org.example:x:1"));
        assertTrue(noAuth.getMessage().contains("401") && noAuth.getMessage().contains("credentials"), noAuth.getMessage());
    }

    @Test
    void aJarWithoutAModelIsRefused() throws Exception {
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        try (ZipOutputStream z = new ZipOutputStream(bytes)) {
            z.putNextEntry(new ZipEntry("org/example/Code.class"));
            z.write(new byte[] {(byte) 0xca, (byte) 0xfe});
        }
        byte[] jar = bytes.toByteArray();
        publish("org/example/lib/1/lib-1.jar", jar, sha1(jar));
        ModelSourceException e = assertThrows(ModelSourceException.class, () -> source(true).resolve("maven:org.example:lib:1"));
        assertTrue(e.getMessage().contains("neither a TensorFlow BERT"), e.getMessage());
    }

    /** The tiny model packed as a jar by hand, with one more entry, {@code extra}, whose sizes may lie. */
    private Path localJar(MavenCoordinate c, RawZip.Entry extra) throws IOException {
        Path dir = Shared.path("fixtures/hf-tiny-distilbert");
        List<RawZip.Entry> entries = new java.util.ArrayList<>();
        entries.add(RawZip.Entry.of("models/tiny/config.json", RawZip.DEFLATED, Files.readAllBytes(dir.resolve("config.json"))));
        entries.add(RawZip.Entry.of("models/tiny/model.safetensors", RawZip.STORED, Files.readAllBytes(dir.resolve("model.safetensors"))));
        entries.add(extra);
        Path jar = tmp.resolve("home/m2repo/" + c.path());
        Files.createDirectories(jar.getParent());
        Files.write(jar, RawZip.write(entries));
        return jar;
    }

    @Test
    void zipBombEntriesInAModelJarAreRefusedAndNothingIsLeftInTheCache() throws Exception {
        byte[] gib = RawZip.zeros(1024); // 1 GiB of zeros in ~1 MB
        byte[] small = RawZip.deflate("{\"version\": \"1.0\"}".getBytes(StandardCharsets.US_ASCII));
        // honest about 1 GiB: refused from its sizes; claims 1000 bytes or 20 MB: stopped at the claimed size;
        // claims more than it holds: the stream ends early
        RawZip.Entry[] bombs = {
                new RawZip.Entry("models/tiny/tokenizer.json", RawZip.DEFLATED, gib, gib.length, 1L << 30, 0),
                new RawZip.Entry("models/tiny/tokenizer.json", RawZip.DEFLATED, gib, gib.length, 1000, 0),
                new RawZip.Entry("models/tiny/tokenizer.json", RawZip.DEFLATED, gib, gib.length, 20_000_000, 0),
                new RawZip.Entry("models/tiny/tokenizer.json", RawZip.DEFLATED, small, small.length, 100, 0)};
        String[] says = {"more than 100 times its size", "inflates to more than the 1000 bytes the zip declares",
                "inflates to more than the 20000000 bytes the zip declares", "inflates to 18 bytes, but the zip declares 100"};
        for (int i = 0; i < bombs.length; i++) {
            MavenCoordinate c = MavenCoordinate.parse("org.example:bomb" + i + ":1");
            Path jar = localJar(c, bombs[i]);
            ModelSource src = source(true);
            Bounds.Outcome o = Bounds.measure(() -> src.resolve("maven:" + c));
            assertTrue(o.thrown() instanceof ModelSourceException, String.valueOf(o.thrown()));
            String msg = o.thrown().getMessage();
            assertTrue(msg.startsWith(jar + ": 'models/tiny/tokenizer.json': ") && msg.contains(says[i]), msg);
            assertTrue(o.allocatedBytes() < 16 << 20, o.allocatedBytes() + " bytes allocated");
            // neither the model directory nor a staging directory stays behind
            Path parent = src.mavenModelDir(c).getParent();
            try (var left = Files.list(parent)) {
                assertEquals(List.of(), left.toList());
            }
        }
        // the same jar with an honest tokenizer.json imports
        MavenCoordinate ok = MavenCoordinate.parse("org.example:fine:1");
        localJar(ok, RawZip.Entry.of("models/tiny/tokenizer.json", RawZip.DEFLATED,
                Files.readAllBytes(Shared.path("fixtures/hf-tiny-distilbert/tokenizer.json"))));
        Path imported = source(true).resolve("maven:" + ok).directory();
        assertArrayEquals(Files.readAllBytes(Shared.path("fixtures/hf-tiny-distilbert/tokenizer.json")),
                Files.readAllBytes(imported.resolve("tokenizer.json")));
    }

    @Test
    void unreachableMirror() throws Exception {
        ModelSource src = source(true);
        server.stop(0);
        ModelSourceException e = assertThrows(ModelSourceException.class, () -> src.resolve("maven:org.example:y:1"));
        assertTrue(e.getMessage().contains("cannot connect") && e.getMessage().contains("mirror"), e.getMessage());
    }

    @Test
    void mirrorOfPatternsFollowMaven() {
        assertTrue(MavenSettings.matches("*", "central", MavenRepository.CENTRAL_URL));
        assertTrue(MavenSettings.matches("central", "central", MavenRepository.CENTRAL_URL));
        assertTrue(MavenSettings.matches("external:*", "central", MavenRepository.CENTRAL_URL));
        assertFalse(MavenSettings.matches("external:*", "local", "file:///repo"));
        assertFalse(MavenSettings.matches("*,!central", "central", MavenRepository.CENTRAL_URL));
        assertTrue(MavenSettings.matches("snapshots, central", "central", MavenRepository.CENTRAL_URL));
        assertFalse(MavenSettings.matches("snapshots", "central", MavenRepository.CENTRAL_URL));
        MavenSettings s = new MavenSettings(Path.of("/r"), false,
                List.of(new MavenSettings.Mirror("all", "http://a", "*"), new MavenSettings.Mirror("c", "http://c", "central")),
                List.of(), null);
        assertEquals("c", s.mirrorFor("central", MavenRepository.CENTRAL_URL).id()); // exact id beats the wildcard
        assertNull(new MavenSettings(Path.of("/r"), false, List.of(), List.of(), null).mirrorFor("central", MavenRepository.CENTRAL_URL));
    }

    @Test
    void settingsWithoutAFileMeanMavenDefaults() {
        MavenSettings s = MavenSettings.read(tmp.resolve("nope.xml"), tmp.resolve(".m2"), tmp, Map.of());
        assertEquals(tmp.resolve(".m2/repository"), s.localRepository());
        assertEquals(MavenRepository.CENTRAL_URL, new MavenRepository(s, null).remoteUrl());
    }
}
