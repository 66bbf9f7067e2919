package dev.distil4j.source;

import dev.distil4j.model.Model;
import dev.distil4j.model.ModelOutput;
import dev.distil4j.testutil.Goldens;
import dev.distil4j.testutil.Shared;
import dev.distil4j.weights.Checkpoints;
import dev.distil4j.weights.DType;
import dev.distil4j.weights.SafeTensorsWriter;
import dev.distil4j.weights.Weights;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The hub client and cache against a local server that answers as huggingface.co does. */
class HubTest {
    private static final String C1 = "1111111111111111111111111111111111111111";
    private static final String C2 = "2222222222222222222222222222222222222222";

    @TempDir
    Path tmp;
    private FakeHub hub;
    private Map<String, byte[]> tiny;

    @BeforeEach
    void start() throws IOException {
        hub = new FakeHub();
        tiny = new LinkedHashMap<>();
        Path dir = Shared.path("fixtures/hf-tiny-distilbert");
        for (String f : List.of("config.json", "model.safetensors", "pytorch_model.bin", "tokenizer.json",
                "tokenizer_config.json", "special_tokens_map.json")) {
            tiny.put(f, Files.readAllBytes(dir.resolve(f)));
        }
        tiny.put(".gitattributes", "*.bin filter=lfs diff=lfs merge=lfs -text\n".getBytes(StandardCharsets.UTF_8));
        tiny.put("README.md", "# tiny\n".getBytes(StandardCharsets.UTF_8));
        tiny.put("tf_model.h5", new byte[5000]);
        tiny.put("onnx/model.onnx", new byte[3000]);
        hub.addCommit("org/tiny", "main", FakeHub.commit(C1, tiny, "model.safetensors", "pytorch_model.bin", "tf_model.h5",
                "onnx/model.onnx"));
    }

    @AfterEach
    void stop() {
        hub.close();
    }

    private SourceSettings settings(Map<String, String> extra) {
        Map<String, String> env = new HashMap<>(extra);
        env.putIfAbsent("HF_ENDPOINT", hub.endpoint().toString());
        env.putIfAbsent("HF_HOME", tmp.resolve("hf").toString());
        env.putIfAbsent("DISTIL4J_CACHE", tmp.resolve("d4j").toString());
        return SourceSettings.from(env, tmp.resolve("home"), null);
    }

    private ModelSource source() {
        return new ModelSource(settings(Map.of()));
    }

    private Path repoDir() {
        return tmp.resolve("hf/hub/models--org--tiny");
    }

    @Test
    void freshDownloadLaysOutTheCacheAsHuggingfaceHub() throws IOException {
        ResolvedModel r = source().resolve("org/tiny");
        assertEquals(ResolvedModel.Origin.HUB_DOWNLOAD, r.origin(), r.detail());
        assertEquals(repoDir().resolve("snapshots/" + C1), r.directory());
        assertEquals(C1, Files.readString(repoDir().resolve("refs/main"))); // no newline, as huggingface_hub writes it
        // only what a model needs: no pytorch_model.bin next to safetensors, no TF/ONNX/README
        List<String> files = new ArrayList<>();
        try (var s = Files.walk(r.directory())) {
            s.filter(p -> !Files.isDirectory(p)).forEach(p -> files.add(r.directory().relativize(p).toString()));
        }
        files.sort(null);
        assertEquals(List.of("config.json", "model.safetensors", "special_tokens_map.json", "tokenizer.json",
                "tokenizer_config.json"), files);
        assertTrue(hub.requestsMatching("pytorch_model.bin").isEmpty());
        assertTrue(hub.requestsMatching("tf_model.h5").isEmpty());
        // snapshot files are relative symlinks into blobs/, named by sha256 (LFS) or git sha1
        Path st = r.directory().resolve("model.safetensors");
        assertTrue(Files.isSymbolicLink(st));
        String sha = FakeHub.sha256(tiny.get("model.safetensors"));
        assertEquals(Path.of("../../blobs/" + sha), Files.readSymbolicLink(st));
        Path cfg = r.directory().resolve("config.json");
        assertEquals(Path.of("../../blobs/" + FakeHub.gitSha1(tiny.get("config.json"))), Files.readSymbolicLink(cfg));
        assertArrayEquals(tiny.get("model.safetensors"), Files.readAllBytes(st));
        try (var s = Files.list(repoDir().resolve("blobs"))) {
            assertTrue(s.noneMatch(p -> p.toString().endsWith(".incomplete")));
        }
        // and it is a model
        try (Model m = Model.load(r.directory())) {
            for (Goldens.Case c : Goldens.cases(Shared.path("fixtures/hf-tiny-distilbert/goldens"))) {
                ModelOutput o = m.forward(c.input());
                Goldens.assertClose(c.name(), c.output("last_hidden_state").data(), o.lastHiddenState().data(), 1e-4, 1e-5);
            }
        }
    }

    @Test
    void cacheHitNeedsNoNetwork() throws IOException {
        source().resolve("org/tiny");
        int before = hub.requestCount();
        // a commit hash with a complete snapshot: not a single request
        ResolvedModel pinned = source().resolve("org/tiny@" + C1);
        assertEquals(ResolvedModel.Origin.HUB_CACHE, pinned.origin());
        assertEquals(before, hub.requestCount());
        // a branch while the hub is online: one API call to learn the commit, no downloads
        ResolvedModel online = source().resolve("org/tiny");
        assertEquals(ResolvedModel.Origin.HUB_CACHE, online.origin());
        assertEquals(List.of("GET /api/models/org/tiny/revision/main"), hub.requests.subList(before, hub.requestCount()));
        // the hub gone: the cached snapshot refs/main points at
        hub.close();
        ResolvedModel offline = source().resolve("org/tiny");
        assertEquals(ResolvedModel.Origin.HUB_CACHE, offline.origin());
        assertTrue(offline.detail().contains("unreachable"), offline.detail());
        assertEquals(online.directory(), offline.directory());
        // never downloaded, hub gone: a clear error
        ModelSourceException e = assertThrows(ModelSourceException.class, () -> source().resolve("org/other"));
        assertTrue(e.getMessage().contains("cannot connect") && e.getMessage().contains("not in the hub cache"), e.getMessage());
    }

    @Test
    void revisionsArePinnedAndBlobsShared() throws IOException {
        Map<String, byte[]> v2 = new LinkedHashMap<>(tiny);
        v2.put("tokenizer_config.json", "{\"model_max_length\": 512}\n".getBytes(StandardCharsets.UTF_8));
        hub.addCommit("org/tiny", "main", FakeHub.commit(C2, v2, "model.safetensors", "pytorch_model.bin", "tf_model.h5",
                "onnx/model.onnx"));
        hub.tag("org/tiny", "v1.0", C1);

        ResolvedModel old = source().resolve("org/tiny@v1.0");
        assertEquals(repoDir().resolve("snapshots/" + C1), old.directory());
        assertEquals(C1, Files.readString(repoDir().resolve("refs/v1.0")));
        ResolvedModel main = source().resolve("org/tiny");
        assertEquals(repoDir().resolve("snapshots/" + C2), main.directory());
        assertEquals(C2, Files.readString(repoDir().resolve("refs/main")));
        assertArrayEquals(v2.get("tokenizer_config.json"), Files.readAllBytes(main.directory().resolve("tokenizer_config.json")));
        assertArrayEquals(tiny.get("tokenizer_config.json"), Files.readAllBytes(old.directory().resolve("tokenizer_config.json")));
        // the weights are the same blob: downloaded once, linked from both snapshots
        assertEquals(1, hub.requestsMatching("CDN GET").size());
        ResolvedModel byCommit = source().resolve("org/tiny@" + C1);
        assertEquals(old.directory(), byCommit.directory());
        ModelSourceException e = assertThrows(ModelSourceException.class, () -> source().resolve("org/tiny@nope"));
        assertTrue(e.getMessage().contains("revision 'nope' does not exist"), e.getMessage());
    }

    @Test
    void resumesAfterAConnectionCut() throws IOException {
        hub.cutAfterBytes.set(200_000);
        ByteArrayOutputStream progress = new ByteArrayOutputStream();
        SourceSettings s = settings(Map.of());
        s = new SourceSettings(s.hubEndpoint(), s.hubToken(), s.hubCache(), s.hubOffline(), s.cacheDir(), s.mavenSettings(),
                s.mavenHome(), new PrintStream(progress, true, StandardCharsets.UTF_8));
        ResolvedModel r = new ModelSource(s).resolve("org/tiny");
        assertArrayEquals(tiny.get("model.safetensors"), Files.readAllBytes(r.directory().resolve("model.safetensors")));
        assertEquals(2, hub.requestsMatching("CDN GET").size());
        // resumed from what had arrived when the connection dropped (the server sent 200000 bytes)
        assertEquals(1, hub.ranges.size());
        long from = Long.parseLong(hub.ranges.get(0).replaceAll("bytes=(\\d+)-", "$1"));
        assertTrue(from > 0 && from <= 200_000, hub.ranges.toString());
        String bar = progress.toString(StandardCharsets.UTF_8);
        assertTrue(bar.contains("\rorg/tiny/model.safetensors") && bar.contains("100%") && bar.endsWith("\n"), bar);
    }

    @Test
    void resumesAnIncompleteFileLeftByAnEarlierRun() throws IOException {
        byte[] st = tiny.get("model.safetensors");
        String sha = FakeHub.sha256(st);
        Path part = repoDir().resolve("blobs/" + sha + ".incomplete");
        Files.createDirectories(part.getParent());
        Files.write(part, java.util.Arrays.copyOf(st, 123_456));
        ResolvedModel r = source().resolve("org/tiny");
        assertArrayEquals(st, Files.readAllBytes(r.directory().resolve("model.safetensors")));
        assertEquals(List.of("bytes=123456-"), hub.ranges);
        assertFalse(Files.exists(part));
    }

    @Test
    void contentNotMatchingItsEtagIsNotCached() throws IOException {
        hub.corruptCdn = true;
        ModelSourceException e = assertThrows(ModelSourceException.class, () -> source().resolve("org/tiny"));
        String sha = FakeHub.sha256(tiny.get("model.safetensors"));
        assertTrue(e.getMessage().contains("sha256") && e.getMessage().contains(sha) && e.getMessage().contains("not cached"),
                e.getMessage());
        assertFalse(Files.exists(repoDir().resolve("blobs/" + sha)));
        assertFalse(Files.exists(repoDir().resolve("blobs/" + sha + ".incomplete")));
        assertFalse(Files.exists(repoDir().resolve("snapshots/" + C1 + "/model.safetensors")));
        assertFalse(Files.exists(repoDir().resolve("refs/main")));
        hub.corruptCdn = false; // a clean retry then works
        assertEquals(ResolvedModel.Origin.HUB_DOWNLOAD, source().resolve("org/tiny").origin());
    }

    @Test
    void errorsSayWhatIsWrong() throws IOException {
        ModelSourceException missing = assertThrows(ModelSourceException.class, () -> source().resolve("org/missing"));
        assertTrue(missing.getMessage().contains("model 'org/missing' not found") && missing.getMessage().contains("HTTP 401")
                && missing.getMessage().contains("HF_TOKEN"), missing.getMessage());

        hub.addCommit("org/private", "main", FakeHub.commit(C1, tiny, "model.safetensors", "pytorch_model.bin", "tf_model.h5",
                "onnx/model.onnx"));
        hub.requireToken("org/private", "hf_secret");
        assertThrows(ModelSourceException.class, () -> source().resolve("org/private"));
        ResolvedModel ok = new ModelSource(settings(Map.of("HF_TOKEN", "hf_secret"))).resolve("org/private");
        assertEquals(ResolvedModel.Origin.HUB_DOWNLOAD, ok.origin());
        assertTrue(hub.cdnAuthorizations.isEmpty(), "the token was sent to the CDN: " + hub.cdnAuthorizations);

        hub.addCommit("org/gated", "main", FakeHub.commit(C1, tiny, "model.safetensors"));
        hub.gate("org/gated");
        ModelSourceException gated = assertThrows(ModelSourceException.class, () -> source().resolve("org/gated"));
        assertTrue(gated.getMessage().contains("gated") && gated.getMessage().contains(hub.endpoint() + "/org/gated"),
                gated.getMessage());

        Map<String, byte[]> noConfig = new LinkedHashMap<>(tiny);
        noConfig.remove("config.json");
        hub.addCommit("org/noconfig", "main", FakeHub.commit(C1, noConfig, "model.safetensors"));
        ModelSourceException nc = assertThrows(ModelSourceException.class, () -> source().resolve("org/noconfig"));
        assertTrue(nc.getMessage().contains("no config.json"), nc.getMessage());

        Map<String, byte[]> onlyTf = Map.of("config.json", tiny.get("config.json"), "tf_model.h5", new byte[10]);
        hub.addCommit("org/tfonly", "main", FakeHub.commit(C1, onlyTf, "tf_model.h5"));
        ModelSourceException tf = assertThrows(ModelSourceException.class, () -> source().resolve("org/tfonly"));
        assertTrue(tf.getMessage().contains("no weights") && tf.getMessage().contains("tf_model.h5"), tf.getMessage());
    }

    @Test
    void entryNotFoundOnHeadIsCachedAsMissing() throws IOException {
        HubClient client = new HubClient(settings(Map.of()), new Http(null), new HubCache(tmp.resolve("hf/hub")));
        ModelSourceException e = assertThrows(ModelSourceException.class, () -> client.fetch("org/tiny", C1, "vocab.txt"));
        assertTrue(e.getMessage().contains("'vocab.txt' in 'org/tiny' does not exist"), e.getMessage());
        assertTrue(Files.exists(repoDir().resolve(".no_exist/" + C1 + "/vocab.txt")));
    }

    @Test
    void offlineModeUsesOnlyTheCache() throws IOException {
        ModelSource offline = new ModelSource(settings(Map.of("HF_HUB_OFFLINE", "1")));
        ModelSourceException e = assertThrows(ModelSourceException.class, () -> offline.resolve("org/tiny"));
        assertTrue(e.getMessage().contains("HF_HUB_OFFLINE") && e.getMessage().contains("not in the hub cache"), e.getMessage());
        assertEquals(0, hub.requestCount());
        source().resolve("org/tiny");
        int before = hub.requestCount();
        ResolvedModel r = offline.resolve("org/tiny");
        assertEquals(ResolvedModel.Origin.HUB_CACHE, r.origin());
        assertEquals(before, hub.requestCount(), "offline mode contacted the hub");
    }

    @Test
    void readsACacheWrittenByHuggingfaceHub() throws IOException {
        // laid out by hand exactly as huggingface_hub's hf_hub_download leaves it
        Path repo = tmp.resolve("hf/hub/models--sentence-transformers--tiny");
        Path snap = Files.createDirectories(repo.resolve("snapshots/" + C2));
        Files.createDirectories(repo.resolve("blobs"));
        Files.createDirectories(repo.resolve("refs"));
        Files.writeString(repo.resolve("refs/main"), C2);
        for (String f : List.of("config.json", "model.safetensors", "tokenizer.json")) {
            byte[] b = tiny.get(f);
            String etag = f.endsWith(".safetensors") ? FakeHub.sha256(b) : FakeHub.gitSha1(b);
            Files.write(repo.resolve("blobs/" + etag), b);
            Files.createSymbolicLink(snap.resolve(f), Path.of("../../blobs/" + etag));
        }
        ResolvedModel r = new ModelSource(settings(Map.of("HF_HUB_OFFLINE", "1"))).resolve("sentence-transformers/tiny");
        assertEquals(snap, r.directory());
        try (Weights w = Checkpoints.open(r.directory())) {
            assertTrue(w.names().size() > 40);
        }
    }

    @Test
    void followsTheRelativeRedirectOfARenamedRepository() throws IOException {
        hub.rename("tiny-old", "org/tiny");
        ResolvedModel r = source().resolve("tiny-old");
        assertEquals(ResolvedModel.Origin.HUB_DOWNLOAD, r.origin());
        // cached under the name the user asked for, as huggingface_hub does
        assertEquals(tmp.resolve("hf/hub/models--tiny-old/snapshots/" + C1), r.directory());
    }

    @Test
    void downloadsTheShardsAnIndexNames() throws IOException {
        Path shardsDir = Files.createDirectories(tmp.resolve("shards"));
        Map<String, byte[]> files = new LinkedHashMap<>();
        files.put("config.json", tiny.get("config.json"));
        StringBuilder map = new StringBuilder("{\"metadata\": {}, \"weight_map\": {");
        try (Weights w = Checkpoints.open(Shared.path("fixtures/hf-tiny-distilbert"))) {
            List<String> names = new ArrayList<>(w.names());
            List<List<String>> halves = List.of(names.subList(0, names.size() / 2), names.subList(names.size() / 2, names.size()));
            for (int i = 0; i < 2; i++) {
                String shard = "model-0000" + (i + 1) + "-of-00002.safetensors";
                SafeTensorsWriter.write(shardsDir.resolve(shard), SafeTensorsWriter.entriesOf(w, halves.get(i)), DType.F32,
                        SafeTensorsWriter.TRANSFORMERS_METADATA);
                files.put(shard, Files.readAllBytes(shardsDir.resolve(shard)));
                for (String n : halves.get(i)) map.append(map.charAt(map.length() - 1) == '{' ? "" : ",").append('"').append(n)
                        .append("\": \"").append(shard).append('"');
            }
        }
        files.put("model.safetensors.index.json", map.append("}}").toString().getBytes(StandardCharsets.UTF_8));
        hub.addCommit("org/sharded", "main", FakeHub.commit(C2, files, "model-00001-of-00002.safetensors",
                "model-00002-of-00002.safetensors"));
        ResolvedModel r = source().resolve("org/sharded");
        try (Model m = Model.load(r.directory())) {
            Goldens.Case c = Goldens.cases(Shared.path("fixtures/hf-tiny-distilbert/goldens")).get(0);
            Goldens.assertClose("sharded", c.output("last_hidden_state").data(), m.forward(c.input()).lastHiddenState().data(),
                    1e-4, 1e-5);
        }
        assertEquals(2, hub.requestsMatching("CDN GET").size());
    }

    @Test
    void aliasFallsBackToMavenWhenTheHubIsUnreachable() throws IOException {
        int closedPort;
        try (ServerSocket s = new ServerSocket(0)) {
            closedPort = s.getLocalPort();
        }
        ModelSource src = new ModelSource(settings(Map.of("HF_ENDPOINT", "http://127.0.0.1:" + closedPort)));
        // stand-in for an earlier import of the jar (the real import is RealBertTest's job)
        Path imported = src.mavenModelDir(KnownModels.find("bert-base-uncased").orElseThrow().maven());
        Files.createDirectories(imported);
        for (String f : List.of("config.json", "model.safetensors")) Files.write(imported.resolve(f), tiny.get(f));
        ResolvedModel r = src.resolve("bert-base-uncased");
        assertEquals(ResolvedModel.Origin.MAVEN, r.origin());
        assertEquals(imported, r.directory());
        assertTrue(r.detail().contains("cannot connect"), r.detail());
        // a hub copy in the cache wins over Maven
        Path snap = Files.createDirectories(tmp.resolve("hf/hub/models--bert-base-uncased/snapshots/" + C1));
        Files.createDirectories(tmp.resolve("hf/hub/models--bert-base-uncased/refs"));
        Files.writeString(tmp.resolve("hf/hub/models--bert-base-uncased/refs/main"), C1);
        for (String f : List.of("config.json", "model.safetensors")) Files.write(snap.resolve(f), tiny.get(f));
        assertEquals(ResolvedModel.Origin.HUB_CACHE, src.resolve("bert-base-uncased").origin());
    }

    @Test
    void specsThatAreNotModels() throws IOException {
        ModelSource s = source();
        assertTrue(assertThrows(ModelSourceException.class, () -> s.resolve("./nowhere")).getMessage().contains("no such directory"));
        Path file = Files.writeString(tmp.resolve("model.safetensors"), "x");
        assertTrue(assertThrows(ModelSourceException.class, () -> s.resolve(file.toString())).getMessage().contains("is a file"));
        Path empty = Files.createDirectories(tmp.resolve("empty"));
        assertTrue(assertThrows(ModelSourceException.class, () -> s.resolve(empty.toString())).getMessage().contains("no config.json"));
        assertTrue(assertThrows(ModelSourceException.class, () -> s.resolve("a/b/c")).getMessage().contains("neither"));
        assertTrue(assertThrows(ModelSourceException.class, () -> s.resolve("maven:only:two")).getMessage().contains("groupId:artifactId:version"));
        ResolvedModel local = s.resolve(Shared.path("fixtures/hf-tiny-distilbert").toString());
        assertEquals(ResolvedModel.Origin.LOCAL, local.origin());
        assertEquals(0, hub.requestCount());
        assertEquals(URI.create(hub.endpoint().toString()), s.settings().hubEndpoint());
    }
}
