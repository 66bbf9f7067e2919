package dev.distil4j.server;

/**
 * An error answered as JSON {@code {"error": message, "error_type": type}}, the shape
 * text-embeddings-inference uses, with the HTTP status that goes with it.
 */
public final class ApiException extends RuntimeException {
    private final int status;
    private final String errorType;
    private final long retryAfterSeconds;

    public ApiException(int status, String errorType, String message) {
        this(status, errorType, message, 0);
    }

    private ApiException(int status, String errorType, String message, long retryAfterSeconds) {
        super(message, null, false, false);
        this.status = status;
        this.errorType = errorType;
        this.retryAfterSeconds = retryAfterSeconds;
    }

    public int status() {
        return status;
    }

    public String errorType() {
        return errorType;
    }

    /** Seconds for a Retry-After header, 0 for none. */
    public long retryAfterSeconds() {
        return retryAfterSeconds;
    }

    /** Malformed request: bad JSON, wrong types, unknown fields' values (400). */
    public static ApiException badRequest(String message) {
        return new ApiException(400, "validation", message);
    }

    /** No input at all (400, TEI's "empty"). */
    public static ApiException empty(String message) {
        return new ApiException(400, "empty", message);
    }

    /** Well-formed but over a limit: too many inputs, too many tokens (422). */
    public static ApiException validation(String message) {
        return new ApiException(422, "validation", message);
    }

    public static ApiException notFound(String message) {
        return new ApiException(404, "not_found", message);
    }

    public static ApiException unauthorized() {
        return new ApiException(401, "unauthorized", "missing or wrong API key (send 'Authorization: Bearer <key>')");
    }

    public static ApiException payloadTooLarge(long limit) {
        return new ApiException(413, "validation", "request body exceeds the limit of " + limit + " bytes");
    }

    /** The queue is full: try again shortly (429 with Retry-After). */
    public static ApiException overloaded(String message, long retryAfterSeconds) {
        return new ApiException(429, "overloaded", message, retryAfterSeconds);
    }

    /** Loading or draining (503). */
    public static ApiException unhealthy(String message) {
        return new ApiException(503, "unhealthy", message, 1);
    }

    public static ApiException backend(String message) {
        return new ApiException(500, "backend", message);
    }
}
