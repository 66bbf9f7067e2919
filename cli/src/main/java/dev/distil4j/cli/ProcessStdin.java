package dev.distil4j.cli;

import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The process's standard input as the commands read it, refusing to be read when the command was
 * started with it closed ({@code <&-}). Then the first file the JVM opens takes descriptor 0, and
 * reading "stdin" would read that: the JDK's {@code lib/modules}, 1.4 million garbage records. The
 * launcher says so with {@code -Ddistil4j.stdin=closed}; without it, on Linux, descriptor 0 pointing
 * at one of the JVM's own files (under {@code java.home}, or on the class path), or at nothing, tells.
 * Checked at the first read, so commands that never read stdin do not care.
 */
final class ProcessStdin extends FilterInputStream {
    /** The system property the launcher sets to {@code closed} when descriptor 0 was not open. */
    static final String PROPERTY = "distil4j.stdin";
    private static final Path FD0 = Path.of("/proc/self/fd/0");

    private boolean checked;

    ProcessStdin() {
        super(new FileInputStream(FileDescriptor.in));
    }

    @Override
    public int read() throws IOException {
        check();
        return super.read();
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        check();
        return super.read(b, off, len);
    }

    @Override
    public void close() {
        // descriptor 0 stays open: it is the process's, not a command's
    }

    private void check() {
        if (checked) return;
        checked = true;
        if (closedAtStart()) {
            throw new UserException("stdin is closed (the command was started with <&- or without a standard input): "
                    + "give the input as arguments, with --input FILE, or on a pipe");
        }
    }

    /** The file {@code in} reads when it is the process's stdin and that is a file (Linux), for an output that must not be it. */
    static Optional<Path> file(InputStream in) {
        if (!(in instanceof ProcessStdin) || !Files.exists(FD0)) return Optional.empty();
        return Optional.of(FD0);
    }

    /** Whether descriptor 0 was closed when the process started (see the class comment). */
    static boolean closedAtStart() {
        if ("closed".equals(System.getProperty(PROPERTY))) return true;
        if (!Files.isDirectory(Path.of("/proc/self/fd"))) return false; // not Linux: only the launcher can tell
        if (!Files.exists(FD0, LinkOption.NOFOLLOW_LINKS)) return true;
        Path target;
        try {
            target = Files.readSymbolicLink(FD0);
        } catch (IOException | UnsupportedOperationException | SecurityException e) {
            return false;
        }
        if (!target.isAbsolute()) return false; // pipe:[...], socket:[...]
        for (Path own : jvmFiles()) {
            if (target.startsWith(own)) return true;
        }
        return false;
    }

    /** Where the JVM's own files are: its home, and the class path entries. */
    private static List<Path> jvmFiles() {
        List<Path> out = new ArrayList<>();
        addReal(out, System.getProperty("java.home"));
        String cp = System.getProperty("java.class.path", "");
        for (String e : cp.split(java.io.File.pathSeparator)) addReal(out, e);
        return out;
    }

    private static void addReal(List<Path> out, String path) {
        if (path == null || path.isBlank()) return;
        try {
            out.add(Path.of(path).toRealPath());
        } catch (IOException | RuntimeException e) {
            // a class path entry that is not there holds nothing open
        }
    }
}
