package dev.distil4j.source;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * Which of stdout and stderr are terminals, for progress bars: a bar belongs on stderr when that is a
 * terminal, whatever stdout is (a file, a pipe), and must step aside for result lines when stdout is
 * the terminal too.
 *
 * <p>Java has no portable "is this descriptor a terminal" ({@code System.console()} answers for
 * stdin and stdout together, and on JDK 22+ exists even when both are redirected), so: the
 * {@code distil4j.terminals} system property when set (the launcher passes what the shell's
 * {@code [ -t 1 ]} and {@code [ -t 2 ]} found, as {@code stdout,stderr}, {@code stderr}, ... or empty),
 * else on Linux where {@code /proc/self/fd/N} points (a {@code /dev/pts/} or {@code /dev/tty} device),
 * else neither.
 *
 * @param stdout whether standard output is a terminal
 * @param stderr whether standard error is a terminal
 */
public record Terminals(boolean stdout, boolean stderr) {
    /** The system property the launcher sets. */
    public static final String PROPERTY = "distil4j.terminals";

    /** This process's terminals, looked up now (cheap: a property, or two link reads). */
    public static Terminals detect() {
        String given = System.getProperty(PROPERTY);
        if (given != null) return parse(given);
        return new Terminals(isTerminalDevice(Path.of("/proc/self/fd/1")), isTerminalDevice(Path.of("/proc/self/fd/2")));
    }

    /** The property's value: a comma-separated list of {@code stdout}, {@code stderr}; empty for none. */
    static Terminals parse(String value) {
        List<String> names = List.of(value.toLowerCase(Locale.ROOT).replace(" ", "").split(","));
        return new Terminals(names.contains("stdout"), names.contains("stderr"));
    }

    /** Whether {@code fdLink} (a {@code /proc/self/fd} entry) points at a terminal device; false where there is no such link. */
    static boolean isTerminalDevice(Path fdLink) {
        try {
            String target = Files.readSymbolicLink(fdLink).toString();
            return target.startsWith("/dev/pts/") || target.startsWith("/dev/tty") || target.equals("/dev/console");
        } catch (IOException | UnsupportedOperationException | SecurityException e) {
            return false;
        }
    }
}
