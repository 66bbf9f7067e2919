package dev.distil4j.train.data;

import java.util.Objects;

/**
 * A record (or a whole file) that cannot be used. The message always starts with {@code file:line}
 * and names the column or field at fault, so that the user can go straight to the bad record.
 */
public class DataFormatException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final transient Origin origin;
    private final String field;
    private final String reason;

    /**
     * @param origin where the record starts
     * @param field  the column or field at fault as it should read in the message (e.g. {@code column 'label'}),
     *               or null when the record as a whole is wrong
     * @param reason what is wrong, in words
     */
    public DataFormatException(Origin origin, String field, String reason) {
        this(origin, field, reason, null);
    }

    public DataFormatException(Origin origin, String field, String reason, Throwable cause) {
        super(origin + ": " + (field == null ? "" : field + ": ") + reason, cause);
        this.origin = Objects.requireNonNull(origin, "origin");
        this.field = field;
        this.reason = Objects.requireNonNull(reason, "reason");
    }

    public Origin origin() {
        return origin;
    }

    /** The column or field named in the message, or null. */
    public String field() {
        return field;
    }

    /** The message without the location. */
    public String reason() {
        return reason;
    }
}
