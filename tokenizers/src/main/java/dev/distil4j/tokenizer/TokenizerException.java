package dev.distil4j.tokenizer;

/**
 * Any failure to load, parse or apply a tokenizer. Messages name the file and the position (line, or
 * JSON path and character offset) when the problem comes from a file.
 */
public class TokenizerException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public TokenizerException(String message) {
        super(message);
    }

    public TokenizerException(String message, Throwable cause) {
        super(message, cause);
    }
}
