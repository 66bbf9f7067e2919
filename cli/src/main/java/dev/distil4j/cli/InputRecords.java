package dev.distil4j.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.distil4j.io.JsonInput;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.NoSuchElementException;

/**
 * The input of the pipeline commands, as records of named string fields, whatever it came as:
 * <ul>
 *   <li>command-line arguments: one record per argument, field {@code text};</li>
 *   <li>{@link Format#JSONL}: one JSON value per line: an object (its fields, e.g.
 *       {@code {"text": ..., "text_pair": ...}}, {@code {"question": ..., "context": ...}}, or an
 *       Inference API request {@code {"inputs": ..., "parameters": {...}}}) or a bare string
 *       (field {@code text});</li>
 *   <li>{@link Format#CSV}: RFC 4180 with a header row naming the fields; quoted fields may span lines;</li>
 *   <li>{@link Format#LINES}: one text per line (field {@code text}).</li>
 * </ul>
 * Blank lines are skipped in JSON lines and plain lines. A record that cannot be read (invalid
 * JSON or content after it, a CSV row with the wrong number of fields, bytes that are not UTF-8
 * text, more than {@link Reading#maxRecordBytes()}) is still returned, with {@link Record#error()}
 * set, so that the caller reports it with its line number and goes on. {@link Format#AUTO}
 * picks by file extension ({@code .jsonl .ndjson .json} → JSON lines, {@code .csv} → CSV,
 * otherwise by the first non-blank line: {@code {} or {@code "} → JSON lines, else plain lines).
 * Lines are read as {@link TextLines} reads them: of any length, at most the record limit kept.
 *
 * <p>Not thread-safe; one pass. Close it to close the file.
 */
final class InputRecords implements Iterator<InputRecords.Record>, AutoCloseable {
    enum Format {
        AUTO, JSONL, CSV, LINES;

        static Format parse(String s) {
            return switch (s.toLowerCase(Locale.ROOT)) {
                case "auto" -> AUTO;
                case "jsonl", "json", "ndjson" -> JSONL;
                case "csv" -> CSV;
                case "lines", "text", "txt" -> LINES;
                default -> throw new UserException("--input-format must be auto, jsonl, csv or lines, not \"" + s + "\"");
            };
        }
    }

    /**
     * One input record.
     *
     * @param line   its line in the input (1-based; for arguments, the argument's position)
     * @param where  how to name it in messages: "line 12" or "argument 2"
     * @param fields its fields; empty when {@code error} is set
     * @param error  why it could not be read, or null
     */
    record Record(long line, String where, ObjectNode fields, String error) {
        boolean ok() {
            return error == null;
        }

        JsonNode get(String field) {
            JsonNode n = fields.get(field);
            return n == null || n.isNull() ? null : n;
        }

        boolean has(String field) {
            return get(field) != null;
        }

        /** A required string field; a {@link UserException} naming the record and the field otherwise. */
        String text(String field) {
            JsonNode n = get(field);
            if (n == null) throw new UserException("missing \"" + field + "\"" + (fields.isEmpty() ? "" : " (fields: " + names() + ")"));
            if (!n.isTextual()) throw new UserException("\"" + field + "\" must be a string, not " + n.getNodeType().name().toLowerCase(Locale.ROOT));
            return n.asText();
        }

        /** An optional string field: null when absent. */
        String optionalText(String field) {
            return has(field) ? text(field) : null;
        }

        private String names() {
            List<String> n = new ArrayList<>();
            fields.fieldNames().forEachRemaining(n::add);
            return String.join(", ", n);
        }
    }

    /**
     * How a file or stdin is read.
     *
     * @param format         {@code --input-format}
     * @param encodingErrors {@code --encoding-errors}
     * @param maxRecordBytes {@code --max-record-size}: the most bytes one record (a line, a CSV record) may have
     */
    record Reading(Format format, Utf8Text.Mode encodingErrors, int maxRecordBytes) {
        /** 16 MiB: far beyond any text a model reads (512 tokens), small enough for any heap. */
        static final int DEFAULT_MAX_RECORD_BYTES = 16 << 20;

        static Reading of(Format format) {
            return new Reading(format, Utf8Text.Mode.STRICT, DEFAULT_MAX_RECORD_BYTES);
        }
    }

    /** A record's JSON could not be read; carries the message to the reader's loop. */
    private static final class BadJson extends RuntimeException {
        BadJson(String message) {
            super(message, null, false, false);
        }
    }

    private final Iterator<Record> args;
    private final InputStream stream;
    private final TextLines lines;
    private final long totalBytes;
    private final String source;
    private final List<Path> files;
    private final int maxRecordBytes;
    private Format format;
    private TextLines.Line pending;
    private List<String> header;
    private Record next;

    private InputRecords(Iterator<Record> args, InputStream stream, TextLines lines, long totalBytes, String source, List<Path> files,
                         Format format, int maxRecordBytes) {
        this.args = args;
        this.stream = stream;
        this.lines = lines;
        this.totalBytes = totalBytes;
        this.source = source;
        this.files = files;
        this.format = format;
        this.maxRecordBytes = maxRecordBytes;
    }

    /** One record per text, field {@code text}. */
    static InputRecords ofArguments(List<String> texts) {
        List<Record> rs = new ArrayList<>(texts.size());
        for (int i = 0; i < texts.size(); i++) {
            ObjectNode o = JsonNodeFactory.instance.objectNode();
            o.put("text", texts.get(i));
            rs.add(new Record(i + 1, "argument " + (i + 1), o, null));
        }
        return ofRecords(rs);
    }

    /** Records a command built itself (e.g. from {@code --question} and {@code --context}). */
    static InputRecords ofRecords(List<Record> records) {
        return new InputRecords(List.copyOf(records).iterator(), null, null, -1, "arguments", List.of(), Format.JSONL, Integer.MAX_VALUE);
    }

    /** {@link #open(Path, InputStream, Reading)} with the default encoding handling and record limit. */
    static InputRecords open(Path file, InputStream stdin, Format format) {
        return open(file, stdin, Reading.of(format));
    }

    /**
     * Reads {@code file}, or {@code stdin} when {@code file} is null or "-".
     *
     * @throws UserException when the file does not exist or cannot be read
     */
    static InputRecords open(Path file, InputStream stdin, Reading reading) {
        boolean useStdin = file == null || file.toString().equals("-");
        InputStream raw;
        long total = -1;
        String source;
        List<Path> files;
        Format format = reading.format();
        if (useStdin) {
            raw = stdin;
            source = "stdin";
            files = ProcessStdin.file(stdin).map(List::of).orElse(List.of());
        } else {
            if (!Files.isRegularFile(file)) throw new UserException("input file " + file + " does not exist (or is not a file)");
            try {
                raw = Files.newInputStream(file);
                total = Files.size(file);
            } catch (IOException e) {
                throw new UserException("cannot read input file " + file + ": " + e.getMessage());
            }
            source = file.toString();
            files = List.of(file);
            if (format == Format.AUTO) {
                String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
                if (name.endsWith(".jsonl") || name.endsWith(".ndjson") || name.endsWith(".json")) format = Format.JSONL;
                else if (name.endsWith(".csv")) format = Format.CSV;
            }
        }
        TextLines lines = new TextLines(raw, source, new Utf8Text(reading.encodingErrors()), reading.maxRecordBytes());
        return new InputRecords(null, raw, lines, total, source, files, format, reading.maxRecordBytes());
    }

    /**
     * Bytes of the input consumed so far, for a progress bar: the lines handed out; 0 for arguments.
     */
    long bytesRead() {
        return lines == null ? 0 : lines.bytesRead();
    }

    /** The input's size in bytes, or -1 when unknown (stdin, arguments). */
    long totalBytes() {
        return totalBytes;
    }

    /** "stdin", "arguments" or the file name. */
    String source() {
        return source;
    }

    /** The files read (the input file, or the file stdin is), for an output that must not be one of them. */
    List<Path> files() {
        return files;
    }

    @Override
    public boolean hasNext() {
        if (next == null) next = read();
        return next != null;
    }

    @Override
    public Record next() {
        if (!hasNext()) throw new NoSuchElementException();
        Record r = next;
        next = null;
        return r;
    }

    private Record read() {
        if (args != null) return args.hasNext() ? args.next() : null;
        try {
            if (format == Format.AUTO) format = sniff();
            return switch (format) {
                case JSONL -> readJson();
                case CSV -> readCsv();
                default -> readLine();
            };
        } catch (IOException e) {
            throw new UserException("cannot read " + source + ": " + e.getMessage());
        }
    }

    /** The format by the first non-blank line, which is kept for the reader (no mark and reset: lines have any length). */
    private Format sniff() throws IOException {
        for (TextLines.Line l; (l = lines.next()) != null; ) {
            if (l.blank()) continue;
            pending = l;
            return l.lead() == '{' || l.lead() == '"' ? Format.JSONL : Format.LINES;
        }
        return Format.LINES;
    }

    private TextLines.Line nextLine() throws IOException {
        TextLines.Line l = pending;
        pending = null;
        return l != null ? l : lines.next();
    }

    private Record readLine() throws IOException {
        for (TextLines.Line l; (l = nextLine()) != null; ) {
            if (l.blank()) continue;
            if (l.error() != null) return bad(l.number(), l.error());
            ObjectNode o = JsonNodeFactory.instance.objectNode();
            o.put("text", l.text());
            return new Record(l.number(), "line " + l.number(), o, null);
        }
        return null;
    }

    private Record readJson() throws IOException {
        for (TextLines.Line l; (l = nextLine()) != null; ) {
            if (l.blank()) continue;
            if (l.error() != null) return bad(l.number(), l.error());
            String where = "line " + l.number();
            JsonNode n;
            try {
                n = JsonInput.parse(l.text(), p -> new BadJson("invalid JSON (column " + p.column() + "): "
                        + (p.kind() == JsonInput.Problem.Kind.SYNTAX ? p.detail() : p.reason())));
            } catch (BadJson e) {
                return bad(l.number(), e.getMessage());
            }
            if (n.isTextual()) {
                ObjectNode o = JsonNodeFactory.instance.objectNode();
                o.put("text", n.asText());
                return new Record(l.number(), where, o, null);
            }
            if (n.isObject()) return new Record(l.number(), where, (ObjectNode) n, null);
            return bad(l.number(), "expected a JSON object or string, got " + n.getNodeType().name().toLowerCase(Locale.ROOT));
        }
        return null;
    }

    private static Record bad(long line, String error) {
        return new Record(line, "line " + line, JsonNodeFactory.instance.objectNode(), error);
    }

    private Record readCsv() throws IOException {
        while (true) {
            Row row = csvRow();
            if (row == null) return null;
            List<String> fields = row.fields();
            if (row.error() == null && fields.size() == 1 && fields.get(0).isEmpty()) continue; // blank line
            if (header == null) {
                if (row.error() != null) throw new UserException(source + " line " + row.line() + ": the CSV header is " + row.error());
                header = fields;
                for (String h : header) {
                    if (h.isBlank()) return bad(row.line(), "the CSV header has an empty column name");
                }
                continue;
            }
            if (row.error() != null) return bad(row.line(), row.error());
            if (fields.size() != header.size()) {
                return bad(row.line(), "expected " + header.size() + " CSV fields (" + String.join(", ", header) + "), got " + fields.size());
            }
            ObjectNode o = JsonNodeFactory.instance.objectNode();
            for (int i = 0; i < fields.size(); i++) o.put(header.get(i), fields.get(i));
            return new Record(row.line(), "line " + row.line(), o, null);
        }
    }

    /** A CSV row: its first line, its fields, and why it cannot be used (or null). */
    private record Row(long line, List<String> fields, String error) {}

    /**
     * One CSV row (RFC 4180: "" escapes a quote inside quotes; quoted fields may hold line breaks), or
     * null at the end. A row over the record limit is read to its end without keeping its text. A line
     * over the limit stops the reading: whether it ends inside quotes, and so where the row ends, is lost.
     */
    private Row csvRow() throws IOException {
        TextLines.Line l = nextLine();
        if (l == null) return null;
        long start = l.number();
        List<String> fields = new ArrayList<>();
        StringBuilder f = new StringBuilder();
        long fieldChars = 0; // of the field so far, kept or not: a quote opens a field only at its start
        String error = null;
        long bytes = 0;
        boolean quoted = false;
        while (true) {
            if (l.text() == null) {
                throw new UserException(source + " line " + l.number() + ": " + l.error() + "; a CSV file cannot be read past it");
            }
            if (error == null) error = l.error();
            bytes += l.bytes() + 1;
            if (error == null && bytes > maxRecordBytes) {
                error = "longer than " + Sizes.format(maxRecordBytes) + ", the limit for one record (--max-record-size)";
            }
            boolean keep = bytes <= maxRecordBytes;
            String line = l.text();
            for (int i = 0; i < line.length(); ) {
                char c = line.charAt(i++);
                if (quoted) {
                    if (c == '"') {
                        if (i < line.length() && line.charAt(i) == '"') {
                            if (keep) f.append('"');
                            fieldChars++;
                            i++;
                        } else {
                            quoted = false;
                        }
                    } else {
                        if (keep) f.append(c);
                        fieldChars++;
                    }
                } else if (c == '"' && fieldChars == 0) {
                    quoted = true;
                } else if (c == ',') {
                    fields.add(f.toString());
                    f.setLength(0);
                    fieldChars = 0;
                } else {
                    if (keep) f.append(c);
                    fieldChars++;
                }
            }
            if (!quoted) {
                fields.add(f.toString());
                return new Row(start, fields, error);
            }
            l = nextLine();
            if (l == null) throw new UserException(source + " line " + start + ": a quoted CSV field is not closed");
            if (keep) f.append('\n');
            fieldChars++;
        }
    }

    @Override
    public void close() {
        if (stream != null && !source.equals("stdin")) {
            try {
                stream.close();
            } catch (IOException ignored) {
                // read-only file
            }
        }
    }
}
