package dev.distil4j.pipeline;

import java.text.BreakIterator;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Splits a document into sentences, with their offsets in the document: the SentenceDetector step
 * of a Spark NLP DocumentAssembler → SentenceDetector → Tokenizer → embeddings chain.
 *
 * <p>{@link #rules()}, the default, is a small documented rule set (close to what Spark NLP's
 * default detector does on ordinary prose):
 * <ol>
 *   <li>A blank line (a line break, optional spaces, a line break) always ends a sentence.</li>
 *   <li>A run of {@code . ! ? …} (or the full-width {@code 。 ！ ？ ｡}), plus any closing quotes or
 *       brackets right after it, ends a sentence when it is followed by whitespace or the end of the
 *       text. The full-width marks end a sentence even without whitespace after them.</li>
 *   <li>Except a single {@code .} that follows a known abbreviation ({@code Mr. Dr. e.g. etc.}, see
 *       {@link #ABBREVIATIONS}) or a single letter (an initial, as in {@code J. Smith}), or that is
 *       followed by a lower-case letter or a digit (the sentence goes on).</li>
 * </ol>
 * Sentences are trimmed of surrounding whitespace; empty ones are dropped. {@link #breakIterator}
 * uses the JDK's {@link BreakIterator} instead (locale-aware, but it splits after {@code Mr.}).
 */
@FunctionalInterface
public interface SentenceSplitter {
    /**
     * A sentence of a document.
     *
     * @param index its position among the document's sentences (0-based)
     * @param text  the sentence, {@code document.substring(begin, end)}
     * @param begin first UTF-16 index in the document
     * @param end   one past the last UTF-16 index (Spark NLP's inclusive end is {@code end - 1})
     */
    record Sentence(int index, String text, int begin, int end) {
        /** The last index, inclusive, as Spark NLP annotations report it. */
        public int endInclusive() {
            return end - 1;
        }
    }

    /** Abbreviations (lower case, without the final dot) after which a period does not end a sentence. */
    Set<String> ABBREVIATIONS = Set.of("mr", "mrs", "ms", "dr", "prof", "sr", "jr", "st", "mt", "vs", "etc", "e.g", "i.e",
            "inc", "ltd", "co", "corp", "no", "nos", "fig", "figs", "vol", "pp", "approx", "dept", "est", "gen", "gov",
            "sen", "rep", "rev", "sgt", "capt", "col", "lt", "cf", "al", "jan", "feb", "mar", "apr", "jun", "jul", "aug",
            "sep", "sept", "oct", "nov", "dec", "u.s", "u.k", "a.m", "p.m");

    List<Sentence> split(String document);

    /** The rule-based splitter described above. */
    static SentenceSplitter rules() {
        return RuleSplitter::split;
    }

    /** The JDK's sentence {@link BreakIterator} for {@code locale}, trimmed the same way. */
    static SentenceSplitter breakIterator(Locale locale) {
        return doc -> {
            BreakIterator it = BreakIterator.getSentenceInstance(locale);
            it.setText(doc);
            List<Sentence> out = new ArrayList<>();
            for (int s = it.first(), e = it.next(); e != BreakIterator.DONE; s = e, e = it.next()) {
                RuleSplitter.add(doc, s, e, out);
            }
            return out;
        };
    }
}
