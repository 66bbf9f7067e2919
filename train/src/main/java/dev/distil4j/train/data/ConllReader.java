package dev.distil4j.train.data;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Reads CoNLL token files (CoNLL-2003 and the like): one token per line, its word the first field and its
 * tag the last (so both {@code word tag} and CoNLL-2003's {@code word POS chunk tag} work), fields separated
 * by spaces or tabs; a blank line ends a sentence; {@code -DOCSTART-} lines separate documents and also end
 * a sentence, as in Hugging Face's {@code conll2003} loader. CRLF line ends are fine.
 *
 * <p>The record is the sentence: with {@link ReadOptions#skipBadRecords()}, a sentence with a bad line (one
 * field only, or a tag outside {@link ReadOptions#labels()}) is left out whole and counted once.
 */
public final class ConllReader {
    private static final Pattern FIELDS = Pattern.compile("[ \t]+");
    private static final String DOCSTART = "-DOCSTART-";

    private ConllReader() {}

    /** Every sentence, any tags. */
    public static ReadResult<TokenExample> read(Path file) {
        return read(file, ReadOptions.defaults());
    }

    /** Uses {@link ReadOptions#labels()} and {@link ReadOptions#skipBadRecords()}; the column names do not apply. */
    public static ReadResult<TokenExample> read(Path file, ReadOptions options) {
        BadRecords bad = new BadRecords(options.skipBadRecords());
        List<TokenExample> out = new ArrayList<>();
        Sentence s = new Sentence();
        try (TextFiles.Lines lines = new TextFiles.Lines(file)) {
            for (String line = lines.next(); line != null; line = lines.next()) {
                String t = line.strip();
                String[] f = t.isEmpty() ? new String[0] : FIELDS.split(t);
                if (f.length == 0 || f[0].equals(DOCSTART)) {
                    s.flush(out, bad);
                    continue;
                }
                if (s.words.isEmpty() && s.error == null) {
                    s.start = lines.origin();
                }
                if (s.error != null) {
                    continue;
                }
                if (f.length < 2) {
                    s.error = new DataFormatException(lines.origin(), null,
                            "expected 'word tag' (word first, tag last), found one field '" + t + "'");
                } else {
                    String tag = f[f.length - 1];
                    if (options.labels() != null && !options.labels().contains(tag)) {
                        s.error = new DataFormatException(lines.origin(), "tag of '" + f[0] + "'",
                                options.labels().unknown(tag));
                    } else {
                        s.words.add(f[0]);
                        s.tags.add(tag);
                    }
                }
                if (s.error != null && !options.skipBadRecords()) {
                    throw s.error;
                }
            }
            s.flush(out, bad);
        }
        return bad.result(out);
    }

    private static final class Sentence {
        final List<String> words = new ArrayList<>();
        final List<String> tags = new ArrayList<>();
        Origin start;
        DataFormatException error;

        void flush(List<TokenExample> out, BadRecords bad) {
            if (error != null) {
                bad.report(error);
            } else if (!words.isEmpty()) {
                out.add(new TokenExample(words, tags, start));
            }
            words.clear();
            tags.clear();
            error = null;
            start = null;
        }
    }
}
