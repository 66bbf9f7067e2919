package dev.distil4j.cli;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.util.Locale;

/**
 * An output stream whose write failures stop the command: {@link BrokenPipe} when the reader went
 * away, a {@link UserException} naming the output otherwise ("cannot write out.jsonl: the disk is
 * full"). Both are unchecked, so a {@link java.io.PrintStream} or {@link java.io.PrintWriter} on
 * top cannot swallow them as {@code System.out} swallows every {@link IOException}.
 */
final class StrictOutputStream extends OutputStream {
    private final OutputStream out;
    private final String name;
    private final boolean closes;

    /**
     * @param name   how messages name the output: "stdout", a file name
     * @param closes whether {@link #close()} closes {@code out}
     */
    StrictOutputStream(OutputStream out, String name, boolean closes) {
        this.out = out;
        this.name = name;
        this.closes = closes;
    }

    /** The process's standard output, descriptor 1 itself (unbuffered; never closed). */
    static StrictOutputStream stdout() {
        return new StrictOutputStream(new FileOutputStream(FileDescriptor.out), "stdout", false);
    }

    @Override
    public void write(int b) {
        try {
            out.write(b);
        } catch (IOException e) {
            throw failure(name, e);
        }
    }

    @Override
    public void write(byte[] b, int off, int len) {
        try {
            out.write(b, off, len);
        } catch (IOException e) {
            throw failure(name, e);
        }
    }

    @Override
    public void flush() {
        try {
            out.flush();
        } catch (IOException e) {
            throw failure(name, e);
        }
    }

    @Override
    public void close() {
        if (!closes) {
            flush();
            return;
        }
        try {
            out.close();
        } catch (IOException e) {
            throw failure(name, e);
        }
    }

    /** What a failed write to {@code name} stops the command with. */
    static RuntimeException failure(String name, IOException e) {
        String m = reason(e);
        String lower = m.toLowerCase(Locale.ROOT);
        if (lower.contains("broken pipe") || lower.contains("pipe is being closed") || lower.contains("pipe has been ended")) {
            return new BrokenPipe(name);
        }
        if (lower.contains("no space left") || lower.contains("not enough space") || lower.contains("disk quota")) {
            return new UserException("cannot write " + name + ": the disk is full (" + m + ")");
        }
        return new UserException("cannot write " + name + ": " + m);
    }

    /** The system's reason; the file system exceptions' own messages are just a path. */
    private static String reason(IOException e) {
        String file = e instanceof FileSystemException f && f.getFile() != null ? " (" + f.getFile() + ")" : "";
        if (e instanceof FileAlreadyExistsException) return "a file is in the way" + file;
        if (e instanceof NoSuchFileException) return "no such file or directory" + file;
        if (e instanceof NotDirectoryException) return "not a directory" + file;
        if (e instanceof AccessDeniedException) return "permission denied" + file;
        if (e instanceof FileSystemException f && f.getReason() != null) return f.getReason() + file;
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }
}
