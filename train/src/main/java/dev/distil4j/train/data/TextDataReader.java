package dev.distil4j.train.data;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Reads text-classification data (one text or a pair, and a label) from the files {@code run_glue.py}
 * takes: TSV as GLUE distributes it, CSV, and JSON Lines. Every bad record is a
 * {@link DataFormatException} naming the file, the line and the column, or, with
 * {@link ReadOptions#skipBadRecords()}, is left out and counted.
 *
 * <p>A record is bad when it has the wrong number of fields, an empty text, a missing or empty label, a
 * label outside {@link ReadOptions#labels()}, or (regression) a label that is not a number. Texts are kept
 * exactly as written (SST-2's trailing spaces included); labels are stripped of surrounding whitespace.
 * Empty lines are skipped, as pandas and Hugging Face {@code datasets} skip them.
 */
public final class TextDataReader {
    private TextDataReader() {}

    /** By extension: {@code .tsv}, {@code .csv}, {@code .jsonl}/{@code .json} (JSON Lines, as run_glue.py reads .json). */
    public static ReadResult<TextExample> read(Path file, ReadOptions options) {
        String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        if (name.endsWith(".tsv")) {
            return readTsv(file, options);
        }
        if (name.endsWith(".csv")) {
            return readCsv(file, options);
        }
        if (name.endsWith(".jsonl") || name.endsWith(".json")) {
            return readJsonLines(file, options);
        }
        throw new IllegalArgumentException("cannot tell the format of " + file + " (expected .tsv, .csv, .jsonl or .json)");
    }

    /**
     * Tab-separated values with a header line, split on tabs only: quotes are ordinary characters, as in the
     * GLUE files (read with {@code quoting=csv.QUOTE_NONE}), where a sentence may well start with {@code "}.
     */
    public static ReadResult<TextExample> readTsv(Path file, ReadOptions options) {
        BadRecords bad = new BadRecords(options.skipBadRecords());
        List<TextExample> out = new ArrayList<>();
        try (TextFiles.Lines lines = new TextFiles.Lines(file)) {
            String header = lines.next();
            while (header != null && header.isEmpty()) {
                header = lines.next();
            }
            if (header == null) {
                throw new DataFormatException(Origin.of(file, Math.max(1, lines.line())), null,
                        "empty file: expected a header line");
            }
            Table table = Table.of(List.of(header.split("\t", -1)), lines.origin(), options);
            for (String line = lines.next(); line != null; line = lines.next()) {
                if (line.isEmpty()) {
                    continue;
                }
                String[] fields = line.split("\t", -1);
                try {
                    if (fields.length != table.width()) {
                        throw new DataFormatException(lines.origin(), null, "expected " + table.width()
                                + " tab-separated fields as in the header, found " + fields.length);
                    }
                    out.add(table.example(List.of(fields), lines.origin()));
                } catch (DataFormatException e) {
                    bad.report(e);
                }
            }
        }
        return bad.result(out);
    }

    /** RFC 4180 comma-separated values with a header record; quoted fields may hold commas, quotes and line breaks. */
    public static ReadResult<TextExample> readCsv(Path file, ReadOptions options) {
        BadRecords bad = new BadRecords(options.skipBadRecords());
        List<TextExample> out = new ArrayList<>();
        try (TextFiles.Lines lines = new TextFiles.Lines(file)) {
            CsvRecords csv = new CsvRecords(new TextFiles.Chars(lines));
            CsvRecords.Row header = csv.next();
            if (header == null) {
                throw new DataFormatException(Origin.of(file, 1), null, "empty file: expected a header record");
            }
            Origin headerOrigin = Origin.of(file, header.line());
            if (header.error() != null) {
                throw new DataFormatException(headerOrigin, null, header.error());
            }
            Table table = Table.of(header.fields(), headerOrigin, options);
            for (CsvRecords.Row row = csv.next(); row != null; row = csv.next()) {
                Origin o = Origin.of(file, row.line());
                try {
                    if (row.error() != null) {
                        throw new DataFormatException(o, null, row.error());
                    }
                    if (row.fields().size() != table.width()) {
                        throw new DataFormatException(o, null, "expected " + table.width()
                                + " comma-separated fields as in the header, found " + row.fields().size());
                    }
                    out.add(table.example(row.fields(), o));
                } catch (DataFormatException e) {
                    bad.report(e);
                }
            }
        }
        return bad.result(out);
    }

    /**
     * JSON Lines: one object per line, the columns as fields. Texts must be strings; a label may be a string,
     * a number or a boolean ({@code 1} reads as {@code "1"}). Without explicit columns the first object
     * decides them.
     */
    public static ReadResult<TextExample> readJsonLines(Path file, ReadOptions options) {
        ObjectReader json = new ObjectMapper()
                .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
                .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
                .reader();
        BadRecords bad = new BadRecords(options.skipBadRecords());
        List<TextExample> out = new ArrayList<>();
        Columns columns = null;
        try (TextFiles.Lines lines = new TextFiles.Lines(file)) {
            for (String line = lines.next(); line != null; line = lines.next()) {
                if (line.isBlank()) {
                    continue;
                }
                Origin o = lines.origin();
                try {
                    JsonNode node;
                    try {
                        node = json.readTree(line);
                    } catch (JsonProcessingException e) {
                        int col = e.getLocation() == null ? -1 : e.getLocation().getColumnNr();
                        throw new DataFormatException(o, null, "invalid JSON" + (col > 0 ? " at column " + col : "")
                                + ": " + e.getOriginalMessage());
                    }
                    if (!node.isObject()) {
                        throw new DataFormatException(o, null, "expected a JSON object, found " + kind(node));
                    }
                    if (columns == null) {
                        Set<String> names = new LinkedHashSet<>();
                        node.fieldNames().forEachRemaining(names::add);
                        columns = Columns.resolve(options, names, o, "field");
                    }
                    String text = jsonText(node, columns.text(), o);
                    String pair = columns.pair() == null ? null : jsonText(node, columns.pair(), o);
                    String label = columns.label() == null ? null : jsonLabel(node, columns.label(), o);
                    out.add(build(o, "field", columns, text, pair, label, options));
                } catch (DataFormatException e) {
                    bad.report(e);
                }
            }
        }
        return bad.result(out);
    }

    private static String jsonText(JsonNode node, String name, Origin o) {
        JsonNode v = node.get(name);
        if (v == null || v.isNull()) {
            throw new DataFormatException(o, "field '" + name + "'", "missing");
        }
        if (!v.isTextual()) {
            throw new DataFormatException(o, "field '" + name + "'", "expected a string, found " + kind(v));
        }
        return v.textValue();
    }

    private static String jsonLabel(JsonNode node, String name, Origin o) {
        JsonNode v = node.get(name);
        if (v == null || v.isNull()) {
            throw new DataFormatException(o, "field '" + name + "'", "missing label");
        }
        if (v.isTextual()) {
            return v.textValue();
        }
        if (v.isNumber() || v.isBoolean()) {
            return v.asText();
        }
        throw new DataFormatException(o, "field '" + name + "'", "expected a string or number label, found " + kind(v));
    }

    private static String kind(JsonNode v) {
        return v.getNodeType().name().toLowerCase(Locale.ROOT);
    }

    /** The checks every format shares. */
    private static TextExample build(Origin o, String kind, Columns c, String text, String pair, String label,
                                     ReadOptions options) {
        checkText(text, o, kind + " '" + c.text() + "'");
        if (pair != null) {
            checkText(pair, o, kind + " '" + c.pair() + "'");
        }
        if (c.label() != null) {
            String field = kind + " '" + c.label() + "'";
            label = label.strip();
            if (label.isEmpty()) {
                throw new DataFormatException(o, field, "empty label");
            }
            if (options.regression()) {
                TextExample.parseTarget(label, o, field);
            } else if (options.labels() != null && !options.labels().contains(label)) {
                throw new DataFormatException(o, field, options.labels().unknown(label));
            }
        }
        return new TextExample(text, pair, label, o);
    }

    private static void checkText(String text, Origin o, String field) {
        if (text.isBlank()) {
            throw new DataFormatException(o, field, "empty text");
        }
    }

    /** A header with the chosen columns' positions. */
    private record Table(int width, Columns columns, int text, int pair, int label, ReadOptions options) {
        static Table of(List<String> header, Origin where, ReadOptions options) {
            Map<String, Integer> index = new HashMap<>();
            for (int i = 0; i < header.size(); i++) {
                String name = header.get(i).strip();
                Integer before = index.put(name, i);
                if (before != null && !name.isEmpty()) {
                    throw new DataFormatException(where, "column '" + name + "'",
                            "appears twice in the header (columns " + (before + 1) + " and " + (i + 1) + ")");
                }
            }
            List<String> names = header.stream().map(String::strip).toList();
            Columns c = Columns.resolve(options, names, where, "column");
            return new Table(header.size(), c, index.get(c.text()), c.pair() == null ? -1 : index.get(c.pair()),
                    c.label() == null ? -1 : index.get(c.label()), options);
        }

        TextExample example(List<String> fields, Origin o) {
            return build(o, "column", columns, fields.get(text), pair < 0 ? null : fields.get(pair),
                    label < 0 ? null : fields.get(label), options);
        }
    }
}
