package dev.distil4j.cli;

import dev.distil4j.model.ConfigException;
import dev.distil4j.source.ModelSourceException;
import dev.distil4j.tokenizer.TokenizerException;
import dev.distil4j.train.data.DataFormatException;
import dev.distil4j.weights.WeightsException;
import picocli.CommandLine;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.CharacterCodingException;
import java.nio.file.NoSuchFileException;

/**
 * Turns an exception from a command into one line on stderr and an exit code: 2 for problems with
 * what the user gave (input, files, models), 1 for internal errors. A stack trace only with
 * {@code DISTIL4J_DEBUG=1}.
 */
final class Errors implements CommandLine.IExecutionExceptionHandler {
    static final int BAD_INPUT = 2;
    static final int INTERNAL = 1;

    @Override
    public int handleExecutionException(Exception e, CommandLine cl, CommandLine.ParseResult parsed) {
        if (brokenPipe(e)) return BrokenPipe.EXIT; // quietly, as a tool killed by SIGPIPE
        boolean user = isUserError(e);
        String msg = message(e);
        String name = cl.getParent() == null ? "distil4j" : "distil4j " + cl.getCommandName();
        cl.getErr().println(name + ": " + (user ? "" : "internal error: ") + msg);
        if ("1".equals(System.getenv("DISTIL4J_DEBUG"))) e.printStackTrace(cl.getErr());
        cl.getErr().flush();
        return user ? BAD_INPUT : INTERNAL;
    }

    /** Whether {@code e} is, or was caused by, a write to a reader that went away (where a command wrote past {@link StrictOutputStream}). */
    static boolean brokenPipe(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof BrokenPipe) return true;
            if (t instanceof IOException && t.getMessage() != null && t.getMessage().contains("Broken pipe")) return true;
        }
        return false;
    }

    static boolean isUserError(Throwable e) {
        return e instanceof UserException || e instanceof IllegalArgumentException || e instanceof ConfigException
                || e instanceof DataFormatException
                || e instanceof WeightsException || e instanceof TokenizerException || e instanceof ModelSourceException
                || e instanceof NoSuchFileException
                || (e instanceof UncheckedIOException u && u.getCause() instanceof NoSuchFileException)
                || e instanceof CharacterCodingException || e.getCause() instanceof CharacterCodingException
                || (e instanceof IOException && !(e instanceof java.io.InterruptedIOException) && e.getMessage() != null
                    && e.getClass().getPackageName().startsWith("com.fasterxml"));
    }

    static String message(Throwable e) {
        if (e instanceof NoSuchFileException n) return "no such file: " + n.getFile();
        // "Input length = 1" says nothing: where the readers do not catch it first, at least say what it is
        if (e instanceof CharacterCodingException || e.getCause() instanceof CharacterCodingException) {
            return "input that is not UTF-8 text (" + e.getMessage() + ")";
        }
        if (e instanceof UncheckedIOException u && u.getCause() instanceof NoSuchFileException n) return "no such file: " + n.getFile();
        String m = e.getMessage();
        return m == null || m.isBlank() ? e.getClass().getSimpleName() : m.lines().findFirst().orElse(m);
    }
}
