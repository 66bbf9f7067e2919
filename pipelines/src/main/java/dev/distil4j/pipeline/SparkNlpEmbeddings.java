package dev.distil4j.pipeline;

import dev.distil4j.tokenizer.model.WordPiece;
import dev.distil4j.tokenizer.sparknlp.SparkNlpSentenceDetector;
import dev.distil4j.tokenizer.sparknlp.SparkNlpTokenizer;
import dev.distil4j.tokenizer.sparknlp.SparkNlpWordPieces;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Word vectors exactly as Spark NLP 5.5.3's default pipeline {@code DocumentAssembler → SentenceDetector →
 * Tokenizer → DistilBertEmbeddings} (or {@code BertEmbeddings}) computes them, annotation for annotation:
 * the Spark NLP compatibility mode, for users whose downstream models were trained on Spark NLP's vectors.
 *
 * <p>What differs from the transformers-exact {@link Embeddings} (all Spark NLP's behaviour):
 * <ul>
 *   <li>sentences come from Spark NLP's rule detector ({@link SparkNlpSentenceDetector}: {@code ;} and
 *       {@code ...} end sentences) and words from its tokenizer ({@link SparkNlpTokenizer}: {@code don't},
 *       {@code 3.5%}, e-mail addresses stay whole);</li>
 *   <li>the model sees, per token, only the word pieces of its first basic-tokenizer word
 *       ({@link SparkNlpWordPieces}): {@code I don't think} reaches it as {@code [CLS] i don think ... [SEP]};</li>
 *   <li>a sentence's pieces are cut at {@code maxSentenceLength} (128 by default) and only the first
 *       {@code maxSentenceLength - 2} go to the model; the piece after them gets the {@code [SEP]} vector and
 *       any later one no annotation;</li>
 *   <li>each annotation is the token's first piece: {@code result} and {@code token} are the token
 *       lower-cased when not case sensitive, {@code pieceId} the first piece's id, {@code isWordStart}
 *       {@code true}, {@code isOOV} {@code false}; a token with no piece has no annotation, and a later piece
 *       that begins where another token of the sentence begins (Spark NLP pairs them by begin; a Hangul word's
 *       piece offsets count its longer NFD form) gives that token an extra annotation.</li>
 * </ul>
 *
 * <p>Needs a WordPiece model (BERT, DistilBERT) whose vocabulary has {@code [CLS]}, {@code [SEP]} and
 * {@code [UNK]}. Thread-safe; does not own the model.
 */
public final class SparkNlpEmbeddings {
    /** Spark NLP's default {@code maxSentenceLength}. */
    public static final int DEFAULT_MAX_SENTENCE_LENGTH = 128;

    /**
     * One word embeddings annotation, Spark NLP's {@code Annotation} of type {@code word_embeddings}.
     *
     * @param begin  the token's first UTF-16 index in the document
     * @param end    its last index, inclusive
     * @param result the token (lower-cased unless case sensitive)
     */
    public record WordAnnotation(int begin, int end, String result, int sentence, int pieceId, boolean isWordStart,
                                 boolean isOOV, float[] vector) {
        public WordAnnotation {
            vector = vector.clone();
        }

        @Override
        public float[] vector() {
            return vector.clone();
        }

        /** Spark NLP's metadata, keys in its order: sentence, token, pieceId, isWordStart, isOOV. */
        public Map<String, String> metadata() {
            Map<String, String> md = new LinkedHashMap<>();
            md.put("sentence", Integer.toString(sentence));
            md.put("token", result);
            md.put("pieceId", Integer.toString(pieceId));
            md.put("isWordStart", Boolean.toString(isWordStart));
            md.put("isOOV", Boolean.toString(isOOV));
            return md;
        }
    }

    /** A document's sentences, tokens and word annotations (what Spark NLP's three columns hold). */
    public record Document(List<SparkNlpSentenceDetector.Sentence> sentences, List<SparkNlpTokenizer.Token> tokens,
                           List<WordAnnotation> words) {
        public Document {
            sentences = List.copyOf(sentences);
            tokens = List.copyOf(tokens);
            words = List.copyOf(words);
        }
    }

    private final PipelineModel model;
    private final int maxSentenceLength;
    private final boolean caseSensitive;
    private final int batchSize;
    private final SparkNlpWordPieces pieces;
    private final int cls;
    private final int sep;

    /**
     * @param maxSentenceLength Spark NLP's {@code maxSentenceLength}: word pieces per sentence, 1 to 512
     *                          and at most the model's maximum ({@link #DEFAULT_MAX_SENTENCE_LENGTH})
     * @param caseSensitive     Spark NLP's {@code caseSensitive} ({@code false} lower-cases every token)
     * @param batchSize         sentences per forward pass (changes nothing but speed)
     */
    public SparkNlpEmbeddings(PipelineModel model, int maxSentenceLength, boolean caseSensitive, int batchSize) {
        if (maxSentenceLength < 1 || maxSentenceLength > Math.min(512, model.maxLength())) {
            throw new IllegalArgumentException("maxSentenceLength must be between 1 and " + Math.min(512, model.maxLength())
                    + " (the model's maximum), got " + maxSentenceLength);
        }
        if (batchSize < 1) throw new IllegalArgumentException("batch size must be at least 1, got " + batchSize);
        if (!(model.tokenizer().model() instanceof WordPiece)) {
            throw new IllegalArgumentException("Spark NLP compatibility needs a WordPiece model (BERT, DistilBERT); " + model.dir()
                    + " has a " + model.tokenizer().model().getClass().getSimpleName() + " tokenizer");
        }
        Map<String, Integer> vocab = model.tokenizer().vocab();
        this.cls = required(vocab, "[CLS]", model);
        this.sep = required(vocab, "[SEP]", model);
        required(vocab, "[UNK]", model);
        this.model = model;
        this.maxSentenceLength = maxSentenceLength;
        this.caseSensitive = caseSensitive;
        this.batchSize = batchSize;
        this.pieces = new SparkNlpWordPieces(vocab, caseSensitive);
    }

    private static int required(Map<String, Integer> vocab, String token, PipelineModel model) {
        Integer id = vocab.get(token);
        if (id == null) throw new IllegalArgumentException("the vocabulary of " + model.dir() + " has no " + token + " token");
        return id;
    }

    /** The vector size (the model's hidden size). */
    public int dimension() {
        return model.model().config().hiddenSize();
    }

    public boolean caseSensitive() {
        return caseSensitive;
    }

    public int maxSentenceLength() {
        return maxSentenceLength;
    }

    public Document document(String text) {
        return documents(List.of(text)).get(0);
    }

    /** Each document through the whole chain; all their sentences share batched forward passes. */
    public List<Document> documents(List<String> texts) {
        List<Plan> plans = new ArrayList<>();
        List<Batches.Sequence> seqs = new ArrayList<>();
        List<List<SparkNlpSentenceDetector.Sentence>> sentences = new ArrayList<>(texts.size());
        List<List<SparkNlpTokenizer.Token>> tokens = new ArrayList<>(texts.size());
        for (int d = 0; d < texts.size(); d++) {
            String text = texts.get(d);
            if (text == null) throw new IllegalArgumentException("text " + d + " is null");
            List<SparkNlpSentenceDetector.Sentence> ss = SparkNlpSentenceDetector.detect(text);
            List<SparkNlpTokenizer.Token> ts = SparkNlpTokenizer.tokenize(ss);
            sentences.add(ss);
            tokens.add(ts);
            for (SparkNlpSentenceDetector.Sentence s : ss) {
                // DistilBertEmbeddings takes a sentence's tokens by span, not by their sentence index
                List<SparkNlpTokenizer.Token> in = new ArrayList<>();
                for (SparkNlpTokenizer.Token t : ts) if (t.begin() >= s.begin() && t.end() <= s.end()) in.add(t);
                if (in.isEmpty()) continue;
                Plan p = plan(d, s.index(), in);
                plans.add(p);
                seqs.add(new Batches.Sequence(p.ids, null));
            }
        }
        float[][][] rows = Batches.lastHiddenStates(model, seqs, batchSize);
        List<List<WordAnnotation>> words = new ArrayList<>(texts.size());
        for (int d = 0; d < texts.size(); d++) words.add(new ArrayList<>());
        for (int k = 0; k < plans.size(); k++) annotate(plans.get(k), rows[k], words.get(plans.get(k).document));
        List<Document> out = new ArrayList<>(texts.size());
        for (int d = 0; d < texts.size(); d++) out.add(new Document(sentences.get(d), tokens.get(d), words.get(d)));
        return out;
    }

    /** One sentence's tokens, their pieces (cut at maxSentenceLength) and the ids the model sees. */
    private record Plan(int document, int sentence, List<SparkNlpTokenizer.Token> tokens, List<SparkNlpWordPieces.Piece> pieces,
                        int[] ids) {}

    private Plan plan(int document, int sentence, List<SparkNlpTokenizer.Token> tokens) {
        List<SparkNlpWordPieces.Piece> all = new ArrayList<>();
        for (SparkNlpTokenizer.Token t : tokens) all.addAll(pieces.encode(t.text(), t.begin()));
        List<SparkNlpWordPieces.Piece> kept = all.subList(0, Math.min(all.size(), maxSentenceLength));
        int fed = Math.min(kept.size(), Math.max(0, maxSentenceLength - 2));
        int[] ids = new int[fed + 2];
        ids[0] = cls;
        for (int i = 0; i < fed; i++) ids[i + 1] = kept.get(i).id();
        ids[fed + 1] = sep;
        return new Plan(document, sentence, tokens, List.copyOf(kept), ids);
    }

    /**
     * Piece k takes row k + 1 (after [CLS]) while there is one, as Spark NLP pairs pieces with rows; it
     * becomes an annotation of the first token that begins where the piece does (normally the token's
     * first piece only).
     */
    private void annotate(Plan p, float[][] rows, List<WordAnnotation> out) {
        for (int k = 0; k < p.pieces.size() && k + 1 < rows.length; k++) {
            SparkNlpWordPieces.Piece piece = p.pieces.get(k);
            for (SparkNlpTokenizer.Token t : p.tokens) {
                if (t.begin() != piece.begin()) continue;
                String result = caseSensitive ? t.text() : t.text().toLowerCase(Locale.ROOT);
                out.add(new WordAnnotation(t.begin(), t.end(), result, p.sentence, piece.id(), piece.wordStart(), false, rows[k + 1]));
                break;
            }
        }
    }
}
