package dev.distil4j.cli;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Collection;

/**
 * A file a command writes its results to ({@code --output}), whole or not at all. The bytes go to a
 * hidden temporary file next to it, which {@link #commit()} renames over it once the run is done;
 * closed without a commit (the run failed or stopped), the temporary file is deleted and a FILE that
 * was there is left as it was: never truncated before the new one is complete. A FILE that exists
 * and is not a regular file ({@code /dev/null}, {@code /dev/stdout}, a FIFO) cannot be replaced and
 * is written directly. Write failures stop the command with a message naming FILE
 * ({@link StrictOutputStream}).
 *
 * <p>Refuses a FILE that is one of the command's inputs (by {@link Files#isSameFile}: the same file
 * through symbolic or hard links too): replacing it would throw the input away.
 */
final class OutputFile implements AutoCloseable {
    private final String name;
    private final Path target;
    private final Path temp;
    private final FileChannel channel;
    private final BufferedOutputStream stream;
    private boolean done;

    private OutputFile(String name, Path target, Path temp, FileChannel channel) {
        this.name = name;
        this.target = target;
        this.temp = temp;
        this.channel = channel;
        this.stream = new BufferedOutputStream(new StrictOutputStream(Channels.newOutputStream(channel), name, false), 1 << 16);
    }

    /**
     * Starts writing {@code file}.
     *
     * @param inputs the files the command reads: {@code file} must be none of them
     * @throws UserException when it is an input or a directory, or cannot be created
     */
    static OutputFile create(Path file, Collection<Path> inputs) {
        String name = file.toString();
        try {
            for (Path in : inputs) {
                if (Files.exists(file) && Files.exists(in) && Files.isSameFile(file, in)) {
                    throw new UserException("--output " + file + " is the input " + (in.startsWith("/proc/self/fd") ? "(stdin)" : in.toString())
                            + ": writing it would destroy the input; choose another output file");
                }
            }
            if (Files.isDirectory(file)) throw new UserException("--output " + file + " is a directory");
            if (Files.exists(file) && !Files.isRegularFile(file)) { // a device or a FIFO: written in place
                return new OutputFile(name, file, null, FileChannel.open(file, StandardOpenOption.WRITE));
            }
            // a symbolic link stays one: the file it points to is replaced
            Path target = Files.exists(file) ? file.toRealPath() : file.toAbsolutePath();
            Path dir = target.getParent();
            Files.createDirectories(dir);
            for (int n = 0; ; n++) {
                Path temp = dir.resolve("." + target.getFileName() + "." + ProcessHandle.current().pid() + "-" + n + ".tmp");
                try {
                    FileChannel ch = FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
                    temp.toFile().deleteOnExit(); // Ctrl-C: no temporary file left behind
                    copyPermissions(target, temp);
                    return new OutputFile(name, target, temp, ch);
                } catch (FileAlreadyExistsException e) {
                    // another run's, or an old one's: the next name
                }
            }
        } catch (IOException e) {
            throw StrictOutputStream.failure(name, e);
        }
    }

    /** Where the results go (buffered). */
    OutputStream stream() {
        return stream;
    }

    /** Overwrites bytes already written at {@code position} (a header whose counts are known at the end). */
    void writeAt(long position, byte[] bytes) {
        try {
            stream.flush();
            ByteBuffer b = ByteBuffer.wrap(bytes);
            while (b.hasRemaining()) channel.write(b, position + b.position());
        } catch (IOException e) {
            throw StrictOutputStream.failure(name, e);
        }
    }

    /** The run is done: FILE gets what was written, all at once. */
    void commit() {
        if (done) return;
        try {
            stream.flush();
            if (temp != null) channel.force(true); // on the disk before the name points at it
            channel.close();
            if (temp != null) {
                try {
                    Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                } catch (AtomicMoveNotSupportedException e) {
                    Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING);
                }
            }
            done = true;
        } catch (IOException e) {
            throw StrictOutputStream.failure(name, e);
        }
    }

    /** Without {@link #commit()}: throws the temporary file away, FILE untouched. */
    @Override
    public void close() {
        if (done) return;
        done = true;
        try {
            channel.close();
            if (temp != null) Files.deleteIfExists(temp);
        } catch (IOException e) {
            // nothing was promised: the run has failed already
        }
    }

    private static void copyPermissions(Path from, Path to) {
        try {
            if (Files.exists(from)) Files.setPosixFilePermissions(to, Files.getPosixFilePermissions(from));
        } catch (IOException | UnsupportedOperationException e) {
            // the file system has no POSIX permissions: the new file has the defaults
        }
    }
}
