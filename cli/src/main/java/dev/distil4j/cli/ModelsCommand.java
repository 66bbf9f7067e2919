package dev.distil4j.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.distil4j.io.JsonInput;
import dev.distil4j.source.HubCache;
import dev.distil4j.source.KnownModels;
import dev.distil4j.source.MavenRepository;
import dev.distil4j.source.MavenSettings;
import dev.distil4j.source.SourceSettings;
import picocli.CommandLine.Command;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.stream.Stream;

/** {@code distil4j models}: what is cached, where, and how big. */
@Command(name = "models", mixinStandardHelpOptions = true,
        description = {"Lists cached models with their sizes.",
                "The Hugging Face hub cache (shared with Python tools), distil4j's own cache (Maven / TensorFlow "
                        + "imports), and whether the aliases' Maven jars are in the local repository."})
final class ModelsCommand implements Callable<Integer> {
    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    private final SourceSettings settings;

    ModelsCommand() {
        this(null);
    }

    ModelsCommand(SourceSettings settings) {
        this.settings = settings;
    }

    @Override
    public Integer call() throws IOException {
        SourceSettings s = settings != null ? settings : SourceSettings.fromEnvironment();
        PrintWriter out = spec.commandLine().getOut();
        HubCache hub = new HubCache(s.hubCache());
        List<String[]> rows = new ArrayList<>();
        long total = 0;
        for (HubCache.CachedRepo r : hub.list()) {
            String refs = r.refs().isEmpty() ? "no refs"
                    : String.join(", ", r.refs().entrySet().stream().map(e -> e.getKey() + "=" + shortSha(e.getValue())).toList());
            rows.add(new String[] {"hub", r.repoId(), size(r.bytes()), refs + "; " + r.snapshots().size() + " snapshot(s)",
                    r.dir().toString()});
            total += r.bytes();
        }
        for (Path dir : imports(s.cacheDir())) {
            long bytes = treeSize(dir);
            total += bytes;
            String from = "imported";
            Path meta = dir.resolve("distil4j-source.json");
            if (Files.isRegularFile(meta)) {
                JsonNode m = JsonInput.read(meta, UserException::new);
                from = "from " + m.path("source").asText("?");
            }
            rows.add(new String[] {s.cacheDir().relativize(dir).getName(0).toString(), name(s.cacheDir(), dir), size(bytes), from,
                    dir.toString()});
        }
        out.println("hub cache: " + s.hubCache() + (s.hubOffline() ? " (HF_HUB_OFFLINE)" : ""));
        out.println("distil4j cache: " + s.cacheDir());
        if (rows.isEmpty()) {
            out.println("no cached models");
        } else {
            print(out, rows);
            out.println("total " + size(total));
        }
        MavenRepository maven = new MavenRepository(MavenSettings.read(s.mavenSettings(), s.mavenHome(),
                s.mavenHome().getParent() != null ? s.mavenHome().getParent() : s.mavenHome(), System.getenv()), null);
        out.println("aliases (hub, else Maven; local repository " + maven.localRepository() + "):");
        for (KnownModels k : KnownModels.ALL) {
            Path jar = maven.localPath(k.maven());
            out.println("  " + k.alias() + " -> maven:" + k.maven() + (Files.isRegularFile(jar)
                    ? " (jar present, " + size(Files.size(jar)) + ")" : " (jar not downloaded)"));
        }
        out.flush();
        return 0;
    }

    /** Directories under the distil4j cache that hold a config.json: maven/G/A/V and tf/NAME. */
    private static List<Path> imports(Path cache) throws IOException {
        List<Path> out = new ArrayList<>();
        if (!Files.isDirectory(cache)) return out;
        try (Stream<Path> s = Files.walk(cache, 4)) {
            s.filter(p -> Files.isRegularFile(p.resolve("config.json")) && !p.getFileName().toString().startsWith("."))
                    .sorted().forEach(out::add);
        }
        return out;
    }

    private static String name(Path cache, Path dir) {
        Path rel = cache.relativize(dir);
        if (rel.getName(0).toString().equals("maven") && rel.getNameCount() == 4) {
            return rel.getName(1) + ":" + rel.getName(2) + ":" + rel.getName(3);
        }
        return rel.subpath(1, rel.getNameCount()).toString();
    }

    private static long treeSize(Path dir) throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            long n = 0;
            for (Path p : s.filter(Files::isRegularFile).toList()) n += Files.size(p);
            return n;
        }
    }

    private static void print(PrintWriter out, List<String[]> rows) {
        String[] head = {"SOURCE", "MODEL", "SIZE", "DETAIL", "PATH"};
        int[] w = new int[head.length];
        for (int i = 0; i < w.length; i++) w[i] = head[i].length();
        for (String[] r : rows) for (int i = 0; i < w.length; i++) w[i] = Math.max(w[i], r[i].length());
        String fmt = "%-" + w[0] + "s  %-" + w[1] + "s  %" + w[2] + "s  %-" + w[3] + "s  %s%n";
        out.printf(Locale.ROOT, fmt, (Object[]) head);
        for (String[] r : rows) out.printf(Locale.ROOT, fmt, (Object[]) r);
    }

    private static String shortSha(String sha) {
        return sha.length() > 10 ? sha.substring(0, 10) : sha;
    }

    static String size(long bytes) {
        if (bytes >= 1_000_000_000L) return String.format(Locale.ROOT, "%.2f GB", bytes / 1e9);
        if (bytes >= 1_000_000L) return String.format(Locale.ROOT, "%.1f MB", bytes / 1e6);
        if (bytes >= 1_000L) return String.format(Locale.ROOT, "%.1f kB", bytes / 1e3);
        return bytes + " B";
    }
}
