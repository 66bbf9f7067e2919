package dev.distil4j.source;

/**
 * A model could not be found, fetched or verified. The message is one line meant for the user:
 * it says what was looked for, where, and what to do about it.
 */
public class ModelSourceException extends RuntimeException {
    public ModelSourceException(String message) {
        super(message);
    }

    public ModelSourceException(String message, Throwable cause) {
        super(message, cause);
    }
}
