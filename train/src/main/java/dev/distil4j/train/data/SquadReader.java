package dev.distil4j.train.data;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Reads SQuAD v1.1 and v2.0 files ({@code {"data": [{"title", "paragraphs": [{"context", "qas": [{"id",
 * "question", "answers": [{"text", "answer_start"}], "is_impossible"}]}]}]}}).
 *
 * <p>Every answer is checked against its context: {@code answer_start} (a Python, code-point index) must
 * point at the answer text, otherwise the question is bad and the error names its id and line. That
 * check catches the classic off-by-a-few offsets of hand-made data before they silently train the model
 * on the wrong span. A question is also bad when its id repeats an earlier one, when it has no answer and
 * is not marked impossible, or when it is marked impossible and has answers (v2.0 keeps those in
 * {@code plausible_answers}, which is ignored). The record is the question: problems above it (no
 * {@code data} list, a paragraph without a context) are errors about the whole file.
 */
public final class SquadReader {
    private SquadReader() {}

    public static ReadResult<QaExample> read(Path file) {
        return read(file, ReadOptions.defaults());
    }

    /** Uses {@link ReadOptions#skipBadRecords()}; the other options do not apply. */
    public static ReadResult<QaExample> read(Path file, ReadOptions options) {
        Located json = Located.read(file);
        BadRecords bad = new BadRecords(options.skipBadRecords());
        List<QaExample> out = new ArrayList<>();
        Map<String, Origin> ids = new HashMap<>();
        JsonNode data = json.root.get("data");
        if (!json.root.isObject() || data == null || !data.isArray()) {
            throw new DataFormatException(json.origin(json.root), "field 'data'",
                    "missing: a SQuAD file is an object with a 'data' list of articles");
        }
        for (JsonNode article : data) {
            JsonNode title = article.get("title");
            JsonNode paragraphs = article.get("paragraphs");
            if (paragraphs == null || !paragraphs.isArray()) {
                throw new DataFormatException(json.origin(article), "field 'paragraphs'", "missing or not a list");
            }
            for (JsonNode paragraph : paragraphs) {
                JsonNode context = paragraph.get("context");
                JsonNode qas = paragraph.get("qas");
                if (context == null || !context.isTextual() || context.textValue().isBlank()) {
                    throw new DataFormatException(json.origin(paragraph), "field 'context'", "missing or empty");
                }
                if (qas == null || !qas.isArray()) {
                    throw new DataFormatException(json.origin(paragraph), "field 'qas'", "missing or not a list");
                }
                for (JsonNode qa : qas) {
                    Origin o = json.origin(qa);
                    try {
                        QaExample e = question(qa, o, title != null && title.isTextual() ? title.textValue() : "",
                                context.textValue());
                        Origin before = ids.putIfAbsent(e.id(), o);
                        if (before != null) {
                            throw new DataFormatException(o, "question '" + e.id() + "'",
                                    "id already used by the question at " + before);
                        }
                        out.add(e);
                    } catch (DataFormatException e) {
                        bad.report(e);
                    }
                }
            }
        }
        return bad.result(out);
    }

    private static QaExample question(JsonNode qa, Origin o, String title, String context) {
        if (!qa.isObject()) {
            throw new DataFormatException(o, null, "expected a question object");
        }
        JsonNode idNode = qa.get("id");
        if (idNode == null || !idNode.isTextual() || idNode.textValue().isEmpty()) {
            throw new DataFormatException(o, "field 'id'", "missing or not a string");
        }
        String id = idNode.textValue();
        String where = "question '" + id + "'";
        JsonNode q = qa.get("question");
        if (q == null || !q.isTextual() || q.textValue().isBlank()) {
            throw new DataFormatException(o, where, "field 'question' missing or empty");
        }
        JsonNode imp = qa.get("is_impossible");
        if (imp != null && !imp.isBoolean()) {
            throw new DataFormatException(o, where, "field 'is_impossible' must be true or false");
        }
        boolean impossible = imp != null && imp.booleanValue();
        JsonNode answers = qa.get("answers");
        if (answers != null && !answers.isArray()) {
            throw new DataFormatException(o, where, "field 'answers' must be a list");
        }
        List<QaExample.Answer> list = new ArrayList<>();
        int cpLength = context.codePointCount(0, context.length());
        for (int i = 0; answers != null && i < answers.size(); i++) {
            JsonNode a = answers.get(i);
            JsonNode text = a.get("text");
            JsonNode start = a.get("answer_start");
            String f = "answers[" + i + "]";
            if (text == null || !text.isTextual() || text.textValue().isEmpty()) {
                throw new DataFormatException(o, where, f + ".text missing or empty");
            }
            if (start == null || !start.isIntegralNumber() || !start.canConvertToInt() || start.intValue() < 0) {
                throw new DataFormatException(o, where, f + ".answer_start must be an integer >= 0");
            }
            int cp = start.intValue();
            String t = text.textValue();
            if (cp > cpLength) {
                throw new DataFormatException(o, where, f + ": answer_start " + cp + " is past the end of the context ("
                        + cpLength + " characters)");
            }
            int s = context.offsetByCodePoints(0, cp);
            if (!context.startsWith(t, s)) {
                String there = context.substring(s, Math.min(context.length(), s + t.length() + 10));
                throw new DataFormatException(o, where, f + ": the context at answer_start " + cp + " reads '" + there
                        + "', not the answer '" + t + "'");
            }
            list.add(new QaExample.Answer(t, s));
        }
        if (impossible && !list.isEmpty()) {
            throw new DataFormatException(o, where, "is_impossible is true but 'answers' is not empty");
        }
        if (!impossible && list.isEmpty()) {
            throw new DataFormatException(o, where, "no answers and not marked is_impossible");
        }
        return new QaExample(id, title, context, q.textValue(), list, impossible, o);
    }

    /** A JSON tree that remembers the line of every object, so errors can point into a large file. */
    private record Located(Path file, JsonNode root, Map<JsonNode, Integer> lines) {
        static Located read(Path file) {
            JsonFactory factory = JsonFactory.builder().enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build();
            Map<JsonNode, Integer> lines = new IdentityHashMap<>();
            try (JsonParser p = factory.createParser(Files.newInputStream(file))) {
                if (p.nextToken() == null) {
                    throw new DataFormatException(Origin.of(file, 1), null, "empty file: expected a SQuAD JSON object");
                }
                JsonNode root = value(p, lines);
                JsonToken extra = p.nextToken();
                if (extra != null) {
                    throw new DataFormatException(Origin.of(file, p.currentTokenLocation().getLineNr()), null,
                            "unexpected content after the JSON document");
                }
                return new Located(file, root, lines);
            } catch (JsonProcessingException e) {
                int line = e.getLocation() == null ? 1 : Math.max(1, e.getLocation().getLineNr());
                int col = e.getLocation() == null ? -1 : e.getLocation().getColumnNr();
                throw new DataFormatException(Origin.of(file, line), null, "invalid JSON"
                        + (col > 0 ? " at column " + col : "") + ": " + e.getOriginalMessage(), e);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
            }
        }

        private static JsonNode value(JsonParser p, Map<JsonNode, Integer> lines) throws IOException {
            JsonNodeFactory f = JsonNodeFactory.instance;
            JsonToken t = p.currentToken();
            switch (t) {
                case START_OBJECT -> {
                    ObjectNode o = f.objectNode();
                    lines.put(o, p.currentTokenLocation().getLineNr());
                    while (p.nextToken() != JsonToken.END_OBJECT) {
                        String name = p.currentName();
                        p.nextToken();
                        o.set(name, value(p, lines));
                    }
                    return o;
                }
                case START_ARRAY -> {
                    ArrayNode a = f.arrayNode();
                    while (p.nextToken() != JsonToken.END_ARRAY) {
                        a.add(value(p, lines));
                    }
                    return a;
                }
                case VALUE_STRING -> {
                    return f.textNode(p.getText());
                }
                case VALUE_NUMBER_INT -> {
                    return f.numberNode(p.getBigIntegerValue());
                }
                case VALUE_NUMBER_FLOAT -> {
                    return f.numberNode(p.getDecimalValue());
                }
                case VALUE_TRUE, VALUE_FALSE -> {
                    return f.booleanNode(t == JsonToken.VALUE_TRUE);
                }
                case VALUE_NULL -> {
                    return f.nullNode();
                }
                default -> throw new IllegalStateException("unexpected JSON token " + t.name().toLowerCase(Locale.ROOT));
            }
        }

        Origin origin(JsonNode node) {
            Integer line = lines.get(node);
            return Origin.of(file, line == null ? 1 : line);
        }
    }
}
