package dev.distil4j.source;

import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.TreeMap;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The Hugging Face hub cache, laid out exactly as {@code huggingface_hub} lays it out so that
 * Python tools and distil4j share it:
 *
 * <pre>
 * HUB_CACHE/models--ORG--NAME/
 *   blobs/ETAG                      file contents, named by ETag (sha256 for LFS files, git sha1 otherwise)
 *   blobs/ETAG.incomplete           a download in progress (resumed from where it stopped)
 *   refs/REVISION                   the commit hash a branch or tag pointed to when last resolved
 *   snapshots/COMMIT/FILE           relative symlink to ../../blobs/ETAG
 *   .no_exist/COMMIT/FILE           empty marker: FILE does not exist at COMMIT
 * </pre>
 */
public final class HubCache {
    static final Pattern COMMIT = Pattern.compile("[0-9a-f]{40}");

    private final Path root;

    public HubCache(Path root) {
        this.root = root;
    }

    public Path root() {
        return root;
    }

    /** {@code models--org--name}, as huggingface_hub's {@code repo_folder_name}. */
    public static String folderName(String repoId) {
        return "models--" + repoId.replace("/", "--");
    }

    public Path repoDir(String repoId) {
        return root.resolve(folderName(repoId));
    }

    /** The commit a revision names: itself when it is a commit hash, else what {@code refs/REVISION} says. */
    public Optional<String> commitOf(String repoId, String revision) {
        if (COMMIT.matcher(revision).matches()) return Optional.of(revision);
        Path ref = repoDir(repoId).resolve("refs").resolve(revision);
        try {
            return Files.isRegularFile(ref) ? Optional.of(Files.readString(ref).trim()).filter(s -> !s.isEmpty()) : Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    public Path snapshot(String repoId, String commit) {
        return repoDir(repoId).resolve("snapshots").resolve(commit);
    }

    public Path blob(String repoId, String etag) {
        return repoDir(repoId).resolve("blobs").resolve(etag);
    }

    public Path incomplete(String repoId, String etag) {
        return repoDir(repoId).resolve("blobs").resolve(etag + ".incomplete");
    }

    /** Records that {@code revision} points at {@code commit} (nothing to do when the revision is the commit). */
    public void writeRef(String repoId, String revision, String commit) throws IOException {
        if (revision.equals(commit)) return;
        Path ref = repoDir(repoId).resolve("refs").resolve(revision);
        Files.createDirectories(ref.getParent());
        if (Files.isRegularFile(ref) && Files.readString(ref).equals(commit)) return;
        Path tmp = Files.createTempFile(ref.getParent(), ".ref", ".tmp");
        Files.writeString(tmp, commit); // no newline, as huggingface_hub writes it
        if (tmp.getFileSystem().supportedFileAttributeViews().contains("posix")) {
            Files.setPosixFilePermissions(tmp, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
        }
        move(tmp, ref);
    }

    /** Moves a verified download into {@code blobs/ETAG} atomically. */
    public Path storeBlob(String repoId, String etag, Path verified) throws IOException {
        Path blob = blob(repoId, etag);
        Files.createDirectories(blob.getParent());
        move(verified, blob);
        return blob;
    }

    /** Points {@code snapshots/COMMIT/FILE} at {@code blobs/ETAG} with a relative symlink (a copy where links are impossible). */
    public Path link(String repoId, String commit, String file, String etag) throws IOException {
        Path pointer = snapshot(repoId, commit).resolve(file);
        Path blob = blob(repoId, etag);
        Files.createDirectories(pointer.getParent());
        Path relative = pointer.getParent().relativize(blob);
        Files.deleteIfExists(pointer);
        try {
            Files.createSymbolicLink(pointer, relative);
        } catch (FileAlreadyExistsException e) {
            // created concurrently by another process: fine if it points at the same blob
            if (!Files.isSameFile(pointer, blob)) throw e;
        } catch (UnsupportedOperationException | IOException e) {
            Files.copy(blob, pointer, StandardCopyOption.REPLACE_EXISTING);
        }
        return pointer;
    }

    /** Marks {@code file} as absent at {@code commit}, as huggingface_hub does after a 404. */
    public void markMissing(String repoId, String commit, String file) throws IOException {
        Path marker = repoDir(repoId).resolve(".no_exist").resolve(commit).resolve(file);
        Files.createDirectories(marker.getParent());
        if (!Files.exists(marker)) Files.createFile(marker);
    }

    /** One cached repository, for listings. */
    public record CachedRepo(String repoId, Path dir, long bytes, List<String> snapshots, TreeMap<String, String> refs) {}

    /** Every cached model repository, by id. */
    public List<CachedRepo> list() throws IOException {
        List<CachedRepo> out = new ArrayList<>();
        if (!Files.isDirectory(root)) return out;
        try (Stream<Path> s = Files.list(root)) {
            for (Path dir : s.sorted().toList()) {
                String name = dir.getFileName().toString();
                if (!name.startsWith("models--") || !Files.isDirectory(dir)) continue;
                String repoId = name.substring("models--".length()).replace("--", "/");
                List<String> snaps = new ArrayList<>();
                Path sd = dir.resolve("snapshots");
                if (Files.isDirectory(sd)) {
                    try (Stream<Path> ss = Files.list(sd)) {
                        ss.map(p -> p.getFileName().toString()).sorted().forEach(snaps::add);
                    }
                }
                TreeMap<String, String> refs = new TreeMap<>();
                Path rd = dir.resolve("refs");
                if (Files.isDirectory(rd)) {
                    try (Stream<Path> rs = Files.walk(rd)) {
                        for (Path r : rs.filter(Files::isRegularFile).toList()) {
                            refs.put(rd.relativize(r).toString(), Files.readString(r).trim());
                        }
                    }
                }
                out.add(new CachedRepo(repoId, dir, blobBytes(dir.resolve("blobs")), snaps, refs));
            }
        }
        return out;
    }

    private static long blobBytes(Path blobs) throws IOException {
        if (!Files.isDirectory(blobs)) return 0;
        long total = 0;
        try (Stream<Path> s = Files.list(blobs)) {
            for (Path b : s.toList()) if (Files.isRegularFile(b)) total += Files.size(b);
        }
        return total;
    }

    static void move(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
        }
    }
}
