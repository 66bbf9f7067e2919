package dev.distil4j.weights;

/**
 * A checkpoint that cannot be used: unreadable, malformed, or missing what the model needs.
 * The message always names the file and, where one is involved, the tensor.
 */
public class WeightsException extends RuntimeException {
    public WeightsException(String message) {
        super(message);
    }

    public WeightsException(String message, Throwable cause) {
        super(message, cause);
    }
}
