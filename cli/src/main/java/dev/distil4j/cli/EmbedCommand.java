package dev.distil4j.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.distil4j.pipeline.Embeddings;
import dev.distil4j.pipeline.SentenceSplitter;
import dev.distil4j.pipeline.SentenceTransformerConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * {@code distil4j embed}: sentence vectors (sentence-transformers' {@code encode}), word vectors
 * (Spark NLP's word embeddings) or word-piece vectors, as JSON lines or a {@code .npy} matrix.
 */
@Command(name = "embed", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Embeds texts: one vector per text (--level sentence, the default; sentence-transformers models are configured "
                + "from their own files), per word (--level word, Spark NLP style, with character offsets) or per word piece (--level token).",
                "Prints one JSON line per input: {\"embedding\": [...]}, {\"words\": [{word, begin, end, end_inclusive, sentence, pieces, "
                        + "embedding}]} or {\"tokens\": [{index, id, token, begin, end, special, word, embedding}]}. Offsets are UTF-16 "
                        + "indices, end exclusive (end_inclusive is Spark NLP's end).",
                "With --output FILE.npy the vectors go to FILE.npy as one float32 matrix (rows in output order) and each JSON line says "
                        + "\"row\" instead of \"embedding\".",
                "Inputs: TEXT arguments, or records from --input / stdin: plain lines, JSON lines ({\"text\": ..., \"words\": [...]}: "
                        + "the words as strings or [begin, end] pairs, e.g. Spark NLP tokens), or CSV with a \"text\" column."})
final class EmbedCommand extends PipelineCommand {
    enum Level { SENTENCE, WORD, TOKEN }

    @Option(names = "--model", required = true, description = "Model directory (Hugging Face layout) or model id.")
    String model;

    @Parameters(paramLabel = "TEXT", arity = "0..*", description = "Texts to embed.")
    List<String> texts = new ArrayList<>();

    @Option(names = "--level", paramLabel = "LEVEL", defaultValue = "sentence",
            description = "sentence, word or token. Default: ${DEFAULT-VALUE}.")
    String level;

    @Option(names = "--pooling", paramLabel = "MODE", split = ",",
            description = "Sentence pooling: cls, mean, max, mean_sqrt_len (several concatenate). Default: the model's "
                    + "sentence-transformers configuration, else mean.")
    List<String> pooling;

    @Option(names = "--normalize", negatable = true,
            description = "L2-normalise sentence vectors. Default: as the model's configuration (a Normalize module), else off.")
    Boolean normalize;

    @Option(names = "--word-pooling", paramLabel = "HOW", defaultValue = "first",
            description = "A word's vector: first (its first piece, as Spark NLP), mean or last. Default: ${DEFAULT-VALUE}.")
    String wordPooling;

    @Option(names = "--split-sentences",
            description = "Treat each input as a document: split it into sentences (rule-based, see docs/embeddings.md); "
                    + "sentence level gives a vector per sentence, word level tags each word with its sentence.")
    boolean splitSentences;

    @Option(names = "--splitter", paramLabel = "NAME", defaultValue = "rules",
            description = "Sentence splitter: rules or jdk (java.text.BreakIterator, --locale). Default: ${DEFAULT-VALUE}.")
    String splitter;

    @Option(names = "--locale", paramLabel = "TAG", defaultValue = "en", description = "Locale of the jdk splitter. Default: ${DEFAULT-VALUE}.")
    String locale;

    @Option(names = "--long-inputs", paramLabel = "HOW", defaultValue = "truncate",
            description = "Inputs longer than the model: truncate (counted in a warning) or window (overlapping windows, averaged). "
                    + "Default: ${DEFAULT-VALUE}.")
    String longInputs;

    @Option(names = "--stride", paramLabel = "N", defaultValue = "-1",
            description = "Tokens shared by consecutive windows (default: a quarter of the window).")
    int stride;

    @Option(names = "--max-length", paramLabel = "N", defaultValue = "0",
            description = "Tokens per forward pass, special tokens included (default: the model's max_seq_length or maximum).")
    int maxLength;

    EmbedCommand() {
        this(System.in, System.out);
    }

    EmbedCommand(InputStream in, OutputStream out) {
        super(in, out);
    }

    /** One input: its text and, optionally, the caller's words. */
    record Item(String text, List<Embeddings.Span> words) {}

    /** One input's vectors, rendered once the output (JSON only, or .npy rows) is known. */
    @FunctionalInterface
    interface Rendered {
        JsonNode render(NpyWriter npy);
    }

    @Override
    public Integer call() {
        PrintWriter err = spec.commandLine().getErr();
        Level lvl = parseLevel(level);
        Embeddings.WordPooling wp = switch (wordPooling.toLowerCase(Locale.ROOT)) {
            case "first" -> Embeddings.WordPooling.FIRST;
            case "mean" -> Embeddings.WordPooling.MEAN;
            case "last" -> Embeddings.WordPooling.LAST;
            default -> throw new UserException("--word-pooling must be first, mean or last, not \"" + wordPooling + "\"");
        };
        Embeddings.LongInputs li = switch (longInputs.toLowerCase(Locale.ROOT)) {
            case "truncate" -> Embeddings.LongInputs.TRUNCATE;
            case "window", "windows" -> Embeddings.LongInputs.WINDOWS;
            default -> throw new UserException("--long-inputs must be truncate or window, not \"" + longInputs + "\"");
        };
        SentenceSplitter sp = switch (splitter.toLowerCase(Locale.ROOT)) {
            case "rules" -> SentenceSplitter.rules();
            case "jdk", "breakiterator" -> SentenceSplitter.breakIterator(Locale.forLanguageTag(locale));
            default -> throw new UserException("--splitter must be rules or jdk, not \"" + splitter + "\"");
        };
        if (splitSentences && lvl == Level.TOKEN) throw new UserException("--split-sentences works with --level sentence or word");
        if ((pooling != null || normalize != null) && lvl != Level.SENTENCE) {
            throw new UserException("--pooling and --normalize apply to --level sentence");
        }
        List<SentenceTransformerConfig.Pooling> modes = null;
        if (pooling != null) {
            modes = new ArrayList<>();
            for (String p : pooling) modes.add(SentenceTransformerConfig.Pooling.parse(p));
        }
        boolean npy = io.output != null && io.output.toString().toLowerCase(Locale.ROOT).endsWith(".npy");
        Embeddings.Options options = new Embeddings.Options(maxLength, li, stride, io.batchSize);
        try (InputRecords records = io.open(texts, in);
             Embeddings loaded = Embeddings.load(ModelLocator.resolve(model), options);
             JsonLinesWriter w = npy ? JsonLinesWriter.stdout(out) : io.output(out, records);
             NpyWriter matrix = npy ? new NpyWriter(io.output, records.files()) : null) {
            Embeddings emb = loaded;
            if (modes != null || normalize != null) {
                SentenceTransformerConfig c = emb.sentenceConfig();
                emb = emb.withSentenceConfig(c.with(modes != null ? modes : c.pooling(), normalize != null ? normalize : c.normalizes()));
            }
            Embeddings e = emb;
            int code = RecordLoop.run(spec.name(), records, io, err, r -> item(r, lvl),
                    batch -> run(e, lvl, wp, splitSentences ? sp : null, batch),
                    new RecordLoop.Output<Rendered>() {
                        @Override
                        public void result(InputRecords.Record r, Rendered result) {
                            w.write(result.render(matrix));
                        }

                        @Override
                        public void error(InputRecords.Record r, String message) {
                            w.error(r, message);
                        }

                        @Override
                        public boolean toStdout() {
                            return w.toStdout();
                        }

                        @Override
                        public void complete() {
                            if (matrix != null) matrix.commit();
                            w.commit();
                        }
                    });
            if (e.truncatedInputs() > 0) {
                err.println("distil4j embed: warning: " + e.truncatedInputs() + " input" + (e.truncatedInputs() == 1 ? " was" : "s were")
                        + " longer than " + e.maxLength() + " tokens and truncated (--long-inputs window keeps all of them)");
            }
            return code;
        }
    }

    private static Level parseLevel(String s) {
        try {
            return Level.valueOf(s.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new UserException("--level must be sentence, word or token, not \"" + s + "\"");
        }
    }

    static Item item(InputRecords.Record r, Level level) {
        // {"inputs": "..."} as the Inference API's feature-extraction request, else {"text": ...}
        String text = r.has("inputs") && !r.has("text") ? r.text("inputs") : r.text("text");
        JsonNode words = r.get("words");
        if (words == null) return new Item(text, null);
        if (level != Level.WORD) throw new UserException("\"words\" needs --level word");
        if (!words.isArray()) throw new UserException("\"words\" must be a list of strings or of [begin, end] pairs");
        List<Embeddings.Span> spans = new ArrayList<>();
        List<String> strings = new ArrayList<>();
        for (JsonNode x : words) {
            if (x.isTextual()) {
                strings.add(x.asText());
            } else if (x.isArray() && x.size() == 2 && x.get(0).canConvertToInt() && x.get(1).canConvertToInt()) {
                spans.add(new Embeddings.Span(x.get(0).asInt(), x.get(1).asInt()));
            } else {
                throw new UserException("\"words\" must be a list of strings or of [begin, end] pairs, not " + x);
            }
        }
        if (!strings.isEmpty() && !spans.isEmpty()) throw new UserException("\"words\" mixes strings and [begin, end] pairs");
        return new Item(text, strings.isEmpty() ? spans : Embeddings.Span.locate(text, strings));
    }

    /** @param sp the sentence splitter with --split-sentences, else null */
    static List<Rendered> run(Embeddings e, Level level, Embeddings.WordPooling wp, SentenceSplitter sp, List<Item> batch) {
        List<String> texts = batch.stream().map(Item::text).toList();
        List<Rendered> out = new ArrayList<>(batch.size());
        switch (level) {
            case TOKEN -> {
                for (List<Embeddings.TokenEmbedding> ts : e.tokensBatch(texts)) {
                    out.add(npy -> {
                        ArrayNode a = JsonNodeFactory.instance.arrayNode();
                        for (Embeddings.TokenEmbedding t : ts) a.add(withVector(Embeddings.toJson(t, npy == null), t.vector(), npy));
                        return JsonNodeFactory.instance.objectNode().set("tokens", a);
                    });
                }
            }
            case WORD -> {
                if (sp != null) {
                    for (Embeddings.DocumentEmbeddings d : e.documents(texts, sp, wp)) {
                        out.add(npy -> {
                            ObjectNode o = JsonNodeFactory.instance.objectNode();
                            o.set("sentences", sentences(d.sentences()));
                            o.set("words", words(d.words(), npy));
                            return o;
                        });
                    }
                } else {
                    List<List<Embeddings.Span>> spans = batch.stream().map(Item::words).toList();
                    for (List<Embeddings.WordEmbedding> ws : e.wordsBatch(texts, new ArrayList<>(spans), wp)) {
                        out.add(npy -> JsonNodeFactory.instance.objectNode().set("words", words(ws, npy)));
                    }
                }
            }
            case SENTENCE -> {
                if (sp != null) {
                    List<List<SentenceSplitter.Sentence>> docs = new ArrayList<>();
                    List<String> all = new ArrayList<>();
                    for (String t : texts) {
                        List<SentenceSplitter.Sentence> s = sp.split(t);
                        docs.add(s);
                        s.forEach(x -> all.add(x.text()));
                    }
                    List<float[]> vectors = e.sentences(all);
                    int k = 0;
                    for (List<SentenceSplitter.Sentence> d : docs) {
                        List<float[]> vs = vectors.subList(k, k + d.size());
                        k += d.size();
                        out.add(npy -> {
                            ArrayNode a = sentences(d);
                            for (int i = 0; i < d.size(); i++) withVector((ObjectNode) a.get(i), vs.get(i), npy);
                            return JsonNodeFactory.instance.objectNode().set("sentences", a);
                        });
                    }
                } else {
                    for (float[] v : e.sentences(texts)) out.add(npy -> withVector(JsonNodeFactory.instance.objectNode(), v, npy));
                }
            }
        }
        return out;
    }

    private static ArrayNode words(List<Embeddings.WordEmbedding> ws, NpyWriter npy) {
        ArrayNode a = JsonNodeFactory.instance.arrayNode();
        for (Embeddings.WordEmbedding w : ws) a.add(withVector(Embeddings.toJson(w, npy == null), w.vector(), npy));
        return a;
    }

    private static ArrayNode sentences(List<SentenceSplitter.Sentence> ss) {
        ArrayNode a = JsonNodeFactory.instance.arrayNode();
        for (SentenceSplitter.Sentence s : ss) {
            a.addObject().put("index", s.index()).put("text", s.text()).put("begin", s.begin()).put("end", s.end())
                    .put("end_inclusive", s.endInclusive());
        }
        return a;
    }

    /** Adds "embedding" (JSON output) or writes the vector to the .npy and adds its "row". */
    private static ObjectNode withVector(ObjectNode o, float[] v, NpyWriter npy) {
        if (npy == null) {
            o.set("embedding", Embeddings.vector(v));
        } else {
            o.put("row", npy.rows());
            npy.write(v);
        }
        return o;
    }
}
