package dev.distil4j.tokenizer.sparknlp;

import java.text.Normalizer;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The word pieces Spark NLP's BERT-family embeddings ({@code DistilBertEmbeddings}, {@code BertEmbeddings})
 * feed the model for one token of its {@code Tokenizer}: the token is lower-cased (unless case
 * sensitive), split as BERT's basic tokenizer splits it, and <b>only the first of those words</b> is cut
 * into word pieces (greedy longest match, {@code ##} continuations, {@code [UNK]} for the whole word
 * when it cannot be cut or is over 200 characters). So {@code don't} reaches the model as {@code don},
 * {@code $1,234.56} as {@code $}, and {@code e-mail} as {@code e}.
 *
 * <p>Spark NLP's basic tokenizer differs from Hugging Face's in small ways reproduced here: it works on
 * UTF-16 units, a character is punctuation when it is ASCII punctuation or its Unicode name contains
 * {@code PUNCTUATION} (so {@code –}, {@code “} and {@code ¿} are not), accents are stripped by removing
 * only the Combining Diacritical Marks block after NFD, and every piece's offset counts characters of
 * the normalised word from the token's start.
 *
 * <p>Thread-safe.
 */
public final class SparkNlpWordPieces {
    /**
     * A word piece.
     *
     * @param piece     the vocabulary entry ({@code ##} included for continuations)
     * @param id        its id
     * @param wordStart whether it starts the word
     * @param begin     the token's begin plus the piece's start in the normalised word (Spark NLP's piece offset)
     */
    public record Piece(String piece, int id, boolean wordStart, int begin) {}

    private static final int MAX_CHARS_PER_WORD = 200;
    private static final Pattern COMBINING_MARKS = Pattern.compile("\\p{InCombiningDiacriticalMarks}+");

    private final Map<String, Integer> vocab;
    private final boolean caseSensitive;
    private final int unk;

    /**
     * @param vocab         the WordPiece vocabulary (token to id); must hold {@code [UNK]}
     * @param caseSensitive false (Spark NLP's default): tokens are lower-cased first
     */
    public SparkNlpWordPieces(Map<String, Integer> vocab, boolean caseSensitive) {
        Integer u = vocab.get("[UNK]");
        if (u == null) throw new IllegalArgumentException("the vocabulary has no [UNK] token; Spark NLP's word pieces need one");
        this.vocab = Map.copyOf(vocab);
        this.caseSensitive = caseSensitive;
        this.unk = u;
    }

    /** The pieces of the first basic-tokenizer word of {@code token} (none when it has no such word). */
    public List<Piece> encode(String token, int begin) {
        String word = firstWord(caseSensitive ? token : token.toLowerCase(Locale.ROOT));
        List<Piece> out = new ArrayList<>();
        if (word.isEmpty()) return out;
        if (word.length() > MAX_CHARS_PER_WORD) return List.of(new Piece("[UNK]", unk, true, begin));
        int start = 0;
        while (start < word.length()) {
            int end = word.length();
            Integer id = null;
            String candidate = null;
            while (end > start) {
                candidate = (start > 0 ? "##" : "") + word.substring(start, end);
                id = vocab.get(candidate);
                if (id != null) break;
                end--;
            }
            if (id == null) return List.of(new Piece("[UNK]", unk, true, begin));
            out.add(new Piece(candidate, id, start == 0, begin + start));
            start = end;
        }
        return out;
    }

    /** The first word BERT's basic tokenizer (Spark NLP's version) finds in {@code s}, normalised; "" when none. */
    String firstWord(String s) {
        int n = s.length();
        int i = 0;
        while (i < n) {
            while (i < n && isWhitespace(s.charAt(i)) && !isPunctuation(s.charAt(i))) i++;
            int end = i;
            while (end < n) {
                char c = s.charAt(end);
                if (isFiltered(c) || isPunctuation(c) || isChinese(c) || isWhitespace(c)) break;
                end++;
            }
            if (end > i) {
                String w = normalize(s.substring(i, end));
                if (!w.isEmpty()) return w;
            }
            if (end < n && (isPunctuation(s.charAt(end)) || isChinese(s.charAt(end)))) {
                String w = normalize(s.substring(end, end + 1));
                if (!w.isEmpty()) return w;
            }
            i = end + 1;
        }
        return "";
    }

    private String normalize(String text) {
        String stripped = COMBINING_MARKS.matcher(Normalizer.normalize(text.trim(), Normalizer.Form.NFD)).replaceAll("");
        StringBuilder b = new StringBuilder(stripped.length());
        for (int i = 0; i < stripped.length(); i++) {
            char c = stripped.charAt(i);
            if (!isFiltered(c)) b.append(c);
        }
        return caseSensitive ? b.toString() : b.toString().toLowerCase(Locale.ROOT);
    }

    static boolean isWhitespace(char c) {
        return c == ' ' || c == '\t' || c == '\n' || c == '\r' || Character.isWhitespace(c);
    }

    private static boolean isFiltered(char c) {
        return c == 0 || c == '\uFFFD' || (c != '\t' && c != '\n' && c != '\r' && Character.isISOControl(c));
    }

    static boolean isPunctuation(char c) {
        if ((c >= 33 && c <= 47) || (c >= 58 && c <= 64) || (c >= 91 && c <= 96) || (c >= 123 && c <= 126)) return true;
        String name = Character.getName(c);
        return name != null && name.contains("PUNCTUATION");
    }

    /** The CJK ranges of BERT's tokenizer, tested on a UTF-16 unit (so only the BMP ranges can match). */
    private static boolean isChinese(char ch) {
        int c = ch;
        return (c >= 0x4E00 && c <= 0x9FFF) || (c >= 0x3400 && c <= 0x4DBF) || (c >= 0xF900 && c <= 0xFAFF);
    }
}
