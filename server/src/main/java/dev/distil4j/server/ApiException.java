package dev.distil4j.server;

/**
 * An error answered as JSON with the HTTP status that goes with it. The type is spelled as
 * text-embeddings-inference serialises its {@code ErrorType} ({@code Validation}, {@code Empty},
 * {@code Backend}, {@code Overloaded}, {@code Unhealthy}), with the same status for each;
 * {@code NotFound}, {@code MethodNotAllowed} and {@code Unauthorized} follow that spelling for what TEI
 * leaves to its HTTP framework.
 */
public final class ApiException extends RuntimeException {
    static final String VALIDATION = "Validation";
    static final String EMPTY = "Empty";
    static final String TOKENIZER = "Tokenizer";
    static final String BACKEND = "Backend";
    static final String OVERLOADED = "Overloaded";
    static final String UNHEALTHY = "Unhealthy";
    static final String NOT_FOUND = "NotFound";
    static final String METHOD_NOT_ALLOWED = "MethodNotAllowed";
    static final String UNAUTHORIZED = "Unauthorized";
    static final String TIMEOUT = "Timeout";

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

    /** A body that is not JSON, or not a JSON object (400). */
    public static ApiException badRequest(String message) {
        return new ApiException(400, VALIDATION, message);
    }

    /** No input at all (400, TEI's "Empty"). */
    public static ApiException empty(String message) {
        return new ApiException(400, EMPTY, message);
    }

    /** Well-formed but wrong: bad types or values, too many inputs, too many tokens (422). */
    public static ApiException validation(String message) {
        return new ApiException(422, VALIDATION, message);
    }

    /** The tokenizer refused the input (422, TEI's "Tokenizer"). */
    public static ApiException tokenizer(String message) {
        return new ApiException(422, TOKENIZER, message);
    }

    /**
     * The model cannot do what the route asks, e.g. {@code /predict} on a model without a
     * classification head: TEI's "Backend" error, 424 Failed Dependency.
     */
    public static ApiException unsupported(String message) {
        return new ApiException(424, BACKEND, message);
    }

    public static ApiException notFound(String message) {
        return new ApiException(404, NOT_FOUND, message);
    }

    public static ApiException methodNotAllowed(String message) {
        return new ApiException(405, METHOD_NOT_ALLOWED, message);
    }

    public static ApiException unauthorized() {
        return new ApiException(401, UNAUTHORIZED, "missing or wrong API key (send 'Authorization: Bearer <key>')");
    }

    public static ApiException payloadTooLarge(long limit) {
        return new ApiException(413, VALIDATION, "request body exceeds the limit of " + limit + " bytes");
    }

    /** A request body that is not JSON (415), or whose Content-Encoding the server does not decode. */
    public static ApiException unsupportedMediaType(String message) {
        return new ApiException(415, VALIDATION, message);
    }

    /** The client stopped sending its request before the body was complete (408). */
    public static ApiException timeout(String message) {
        return new ApiException(408, TIMEOUT, message);
    }

    /**
     * An error that the HTTP layer itself answers (a malformed request line, oversized headers, a bad
     * URI): the type that goes with its status, and the given reason, which names no Java internals.
     */
    public static ApiException forStatus(int status, String reason) {
        return switch (status) {
            case 401 -> unauthorized();
            case 404 -> notFound(reason);
            case 405 -> methodNotAllowed(reason);
            case 408 -> timeout(reason);
            case 429 -> overloaded(reason, 1);
            case 503 -> unhealthy(reason);
            default -> new ApiException(status, status >= 500 ? BACKEND : VALIDATION, reason);
        };
    }

    /** The queue is full: try again shortly (429 with Retry-After). */
    public static ApiException overloaded(String message, long retryAfterSeconds) {
        return new ApiException(429, OVERLOADED, message, retryAfterSeconds);
    }

    /** Loading or draining (503). */
    public static ApiException unhealthy(String message) {
        return new ApiException(503, UNHEALTHY, message, 1);
    }

    /** A failure inside the server that the request did not cause (500); the message must not leak internals. */
    public static ApiException internal(String message) {
        return new ApiException(500, BACKEND, message);
    }
}
