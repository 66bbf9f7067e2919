package dev.distil4j.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.BufferedReader;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
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
 * JSON, a CSV row with the wrong number of fields) is still returned, with {@link Record#error()}
 * set, so that the caller reports it with its line number and goes on. {@link Format#AUTO}
 * picks by file extension ({@code .jsonl .ndjson .json} → JSON lines, {@code .csv} → CSV,
 * otherwise by the first non-blank line: {@code {} or {@code "} → JSON lines, else plain lines).
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

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Iterator<Record> args;
    private final BufferedReader reader;
    private final Counting counting;
    private final long totalBytes;
    private final String source;
    private Format format;
    private List<String> header;
    private long lineNo;
    private long consumed;
    private Record next;

    private InputRecords(Iterator<Record> args, BufferedReader reader, Counting counting, long totalBytes, String source, Format format) {
        this.args = args;
        this.reader = reader;
        this.counting = counting;
        this.totalBytes = totalBytes;
        this.source = source;
        this.format = format;
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
        return new InputRecords(List.copyOf(records).iterator(), null, null, -1, "arguments", Format.JSONL);
    }

    /**
     * Reads {@code file}, or {@code stdin} when {@code file} is null or "-".
     *
     * @throws UserException when the file does not exist or cannot be read
     */
    static InputRecords open(Path file, InputStream stdin, Format format) {
        boolean useStdin = file == null || file.toString().equals("-");
        InputStream raw;
        long total = -1;
        String source;
        if (useStdin) {
            raw = stdin;
            source = "stdin";
        } else {
            if (!Files.isRegularFile(file)) throw new UserException("input file " + file + " does not exist (or is not a file)");
            try {
                raw = Files.newInputStream(file);
                total = Files.size(file);
            } catch (IOException e) {
                throw new UserException("cannot read input file " + file + ": " + e.getMessage());
            }
            source = file.toString();
            if (format == Format.AUTO) {
                String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
                if (name.endsWith(".jsonl") || name.endsWith(".ndjson") || name.endsWith(".json")) format = Format.JSONL;
                else if (name.endsWith(".csv")) format = Format.CSV;
            }
        }
        Counting c = new Counting(raw);
        BufferedReader r = new BufferedReader(new InputStreamReader(c, StandardCharsets.UTF_8), 1 << 16);
        return new InputRecords(null, r, c, total, source, format);
    }

    /**
     * Bytes of the input consumed so far, for a progress bar: the lines handed out (the reader itself
     * reads ahead in 64 KB blocks); 0 for arguments.
     */
    long bytesRead() {
        return consumed;
    }

    /** The input's size in bytes, or -1 when unknown (stdin, arguments). */
    long totalBytes() {
        return totalBytes;
    }

    /** "stdin", "arguments" or the file name. */
    String source() {
        return source;
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
            throw new UncheckedIOException("cannot read " + source + ": " + e.getMessage(), e);
        }
    }

    private Format sniff() throws IOException {
        reader.mark(1 << 15);
        try {
            for (String l; (l = reader.readLine()) != null; ) {
                String s = stripBom(l).strip();
                if (s.isEmpty()) continue;
                return s.startsWith("{") || s.startsWith("\"") ? Format.JSONL : Format.LINES;
            }
            return Format.LINES;
        } finally {
            reader.reset();
        }
    }

    private String nextLine() throws IOException {
        String l = reader.readLine();
        if (l == null) return null;
        lineNo++;
        consumed = Math.min(counting.count, consumed + utf8Length(l) + 1);
        return lineNo == 1 ? stripBom(l) : l;
    }

    private static long utf8Length(String s) {
        long n = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            n += c < 0x80 ? 1 : c < 0x800 ? 2 : Character.isSurrogate(c) ? 2 : 3; // a surrogate pair: 4
        }
        return n;
    }

    private static String stripBom(String l) {
        return !l.isEmpty() && l.charAt(0) == '\uFEFF' ? l.substring(1) : l;
    }

    private Record readLine() throws IOException {
        for (String l; (l = nextLine()) != null; ) {
            if (l.isBlank()) continue;
            ObjectNode o = JsonNodeFactory.instance.objectNode();
            o.put("text", l);
            return new Record(lineNo, "line " + lineNo, o, null);
        }
        return null;
    }

    private Record readJson() throws IOException {
        for (String l; (l = nextLine()) != null; ) {
            if (l.isBlank()) continue;
            String where = "line " + lineNo;
            JsonNode n;
            try {
                n = JSON.readTree(l);
            } catch (JsonProcessingException e) {
                return bad(where, "invalid JSON (column " + e.getLocation().getColumnNr() + "): " + e.getOriginalMessage());
            }
            if (n.isTextual()) {
                ObjectNode o = JsonNodeFactory.instance.objectNode();
                o.put("text", n.asText());
                return new Record(lineNo, where, o, null);
            }
            if (n.isObject()) return new Record(lineNo, where, (ObjectNode) n, null);
            return bad(where, "expected a JSON object or string, got " + n.getNodeType().name().toLowerCase(Locale.ROOT));
        }
        return null;
    }

    private Record bad(String where, String error) {
        return new Record(lineNo, where, JsonNodeFactory.instance.objectNode(), error);
    }

    private Record readCsv() throws IOException {
        while (true) {
            long start = lineNo + 1;
            List<String> row = csvRow();
            if (row == null) return null;
            if (row.size() == 1 && row.get(0).isEmpty()) continue; // blank line
            if (header == null) {
                header = row;
                for (String h : header) {
                    if (h.isBlank()) return bad("line " + start, "the CSV header has an empty column name");
                }
                continue;
            }
            String where = "line " + start;
            if (row.size() != header.size()) {
                return new Record(start, where, JsonNodeFactory.instance.objectNode(),
                        "expected " + header.size() + " CSV fields (" + String.join(", ", header) + "), got " + row.size());
            }
            ObjectNode o = JsonNodeFactory.instance.objectNode();
            for (int i = 0; i < row.size(); i++) o.put(header.get(i), row.get(i));
            return new Record(start, where, o, null);
        }
    }

    /** One CSV row (RFC 4180: "" escapes a quote inside quotes; quoted fields may hold line breaks), or null at the end. */
    private List<String> csvRow() throws IOException {
        String line = nextLine();
        if (line == null) return null;
        List<String> fields = new ArrayList<>();
        StringBuilder f = new StringBuilder();
        boolean quoted = false;
        int i = 0;
        while (true) {
            if (i >= line.length()) {
                if (quoted) {
                    String more = nextLine();
                    if (more == null) throw new UserException(source + " line " + lineNo + ": a quoted CSV field is not closed");
                    f.append('\n');
                    line = more;
                    i = 0;
                    continue;
                }
                fields.add(f.toString());
                return fields;
            }
            char c = line.charAt(i++);
            if (quoted) {
                if (c == '"') {
                    if (i < line.length() && line.charAt(i) == '"') {
                        f.append('"');
                        i++;
                    } else {
                        quoted = false;
                    }
                } else {
                    f.append(c);
                }
            } else if (c == '"' && f.isEmpty()) {
                quoted = true;
            } else if (c == ',') {
                fields.add(f.toString());
                f.setLength(0);
            } else {
                f.append(c);
            }
        }
    }

    @Override
    public void close() {
        if (reader != null && !source.equals("stdin")) {
            try {
                reader.close();
            } catch (IOException ignored) {
                // read-only file
            }
        }
    }

    /** Counts the bytes read, for the progress bar. */
    private static final class Counting extends FilterInputStream {
        long count;

        Counting(InputStream in) {
            super(in);
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            if (b >= 0) count++;
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = super.read(b, off, len);
            if (n > 0) count += n;
            return n;
        }
    }
}
