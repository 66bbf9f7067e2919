package dev.distil4j.source;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TerminalsTest {
    @TempDir
    Path tmp;

    /** The launcher's property names the terminals; stdout and stderr are told apart. */
    @Test
    void propertyNamesTheTerminals() {
        assertEquals(new Terminals(true, true), Terminals.parse("stdout,stderr"));
        assertEquals(new Terminals(false, true), Terminals.parse("stderr"));
        assertEquals(new Terminals(true, false), Terminals.parse("stdout"));
        assertEquals(new Terminals(false, false), Terminals.parse(""));
    }

    /** Without the property, where /proc/self/fd/N points: a terminal device, or a file or pipe. */
    @Test
    void fdLinksToTerminalDevicesAreTerminals() throws Exception {
        assertTrue(Terminals.isTerminalDevice(Files.createSymbolicLink(tmp.resolve("pts"), Path.of("/dev/pts/3"))));
        assertTrue(Terminals.isTerminalDevice(Files.createSymbolicLink(tmp.resolve("tty"), Path.of("/dev/tty1"))));
        assertFalse(Terminals.isTerminalDevice(Files.createSymbolicLink(tmp.resolve("pipe"), Path.of("pipe:[4026]"))));
        assertFalse(Terminals.isTerminalDevice(Files.createSymbolicLink(tmp.resolve("file"), tmp.resolve("out.jsonl"))));
        assertFalse(Terminals.isTerminalDevice(Files.createSymbolicLink(tmp.resolve("null"), Path.of("/dev/null"))));
        assertFalse(Terminals.isTerminalDevice(Files.writeString(tmp.resolve("plain"), "not a link")));
        assertFalse(Terminals.isTerminalDevice(tmp.resolve("absent")));
    }
}
