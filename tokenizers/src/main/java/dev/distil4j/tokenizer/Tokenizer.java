package dev.distil4j.tokenizer;

import dev.distil4j.tokenizer.decoder.Decoder;
import dev.distil4j.tokenizer.io.LegacyFiles;
import dev.distil4j.tokenizer.io.TokenizerJson;
import dev.distil4j.tokenizer.model.Model;
import dev.distil4j.tokenizer.normalizer.Normalizer;
import dev.distil4j.tokenizer.pretokenizer.PreTokenizer;
import dev.distil4j.tokenizer.processor.PostProcessor;
import dev.distil4j.tokenizer.processor.RawEncoding;
import dev.distil4j.tokenizer.text.NormalizedString;
import dev.distil4j.tokenizer.text.UnicodeTables;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A Hugging Face tokenizer: normalizer → pre-tokenizer → model → post-processor, plus a decoder and
 * the added (special) tokens. Immutable and thread-safe; build it once and share it.
 *
 * <pre>{@code
 * Tokenizer tok = Tokenizer.fromDirectory(Path.of("distilbert-base-uncased"));
 * Encoding e = tok.encode("Hello world!");
 * e.ids();      // [101, 7592, 2088, 999, 102]
 * e.offsets();  // UTF-16 [0,0, 0,5, 6,11, 11,12, 0,0]
 * }</pre>
 *
 * <p>Two behaviours are emulated (see {@link TokenizerConfig#flavor()}): a tokenizer read from
 * {@code tokenizer.json} behaves like Hugging Face's Rust library (what {@code transformers}' fast
 * tokenizers and DJL give); one built from legacy files ({@code vocab.txt}, {@code vocab.json} +
 * {@code merges.txt}) behaves like the slow Python tokenizers of transformers 4.28 where they differ:
 * <ul>
 *   <li>characters: Python 3.11's Unicode 14 database for the slow path (unassigned code points are
 *       deleted as control characters, CJK Extension E starts at U+2B820), the Rust library's own
 *       older tables otherwise (unassigned code points survive; see
 *       {@link dev.distil4j.tokenizer.text.UnicodeTables});</li>
 *   <li>the token string of a special token that eats the space before it ({@code <mask>}): its
 *       content (slow) or the matched text, space included (Rust, whose offsets then drop the space);</li>
 *   <li>RoBERTa's {@code add_prefix_space}: once before the whole text (slow) or before every piece
 *       between special tokens (Rust);</li>
 *   <li>longest-first truncation of a pair that ties: the slow tokenizer cuts the second sequence,
 *       Rust the first; {@code only_first}/{@code only_second} on a too-short sequence is an error only
 *       in Rust;</li>
 *   <li>decoding: {@code convert_tokens_to_string} (slow) or Rust's decoder; with the clean-up of
 *       {@link #decode(int[], boolean, boolean)} both give transformers' text.</li>
 * </ul>
 * Saving a legacy tokenizer writes the tokenizer.json that {@code transformers}' converters would
 * write; loading it back gives the Rust behaviour. docs/tokenizers.md has the full table.
 *
 * <p>Offsets are Java {@code String} (UTF-16) indices; {@link Encoding#codePointOffsets()} has the
 * code-point offsets Hugging Face reports.
 */
public final class Tokenizer {
    private final Normalizer normalizer;
    private final PreTokenizer preTokenizer;
    private final Model model;
    private final PostProcessor postProcessor;
    private final Decoder decoder;
    private final AddedVocabulary added;
    private final TokenizerConfig config;
    private final Map<String, Object> jsonTruncation;
    private final Map<String, Object> jsonPadding;
    /** Slow RoBERTa: the prefix space goes once in front of the whole text, not in front of each piece. */
    private final boolean slowPrefixSpace;
    private final PreTokenizer piecePreTokenizer;
    /** Whether long texts may be encoded part by part (see {@link #cutsCleanly()}). */
    private final boolean chunkable;

    /**
     * Assembles a tokenizer from its parts (loaders do this; {@code normalizer}, {@code preTokenizer},
     * {@code postProcessor} and {@code decoder} may be null).
     *
     * @param jsonTruncation tokenizer.json's {@code truncation} section, kept for {@link #save} only
     * @param jsonPadding tokenizer.json's {@code padding} section, kept for {@link #save} only
     */
    public Tokenizer(Normalizer normalizer, PreTokenizer preTokenizer, Model model, PostProcessor postProcessor,
                     Decoder decoder, List<AddedToken> addedTokens, TokenizerConfig config,
                     Map<String, Object> jsonTruncation, Map<String, Object> jsonPadding) {
        if (model == null) {
            throw new TokenizerException("a tokenizer needs a model");
        }
        this.normalizer = normalizer;
        this.preTokenizer = preTokenizer;
        this.model = model;
        this.postProcessor = postProcessor;
        this.decoder = decoder;
        this.added = new AddedVocabulary(addedTokens);
        this.config = config;
        this.jsonTruncation = jsonTruncation;
        this.jsonPadding = jsonPadding;
        if (config.flavor() == UnicodeTables.Flavor.PYTHON
                && preTokenizer instanceof dev.distil4j.tokenizer.pretokenizer.ByteLevel bl && bl.addPrefixSpace()) {
            slowPrefixSpace = true;
            piecePreTokenizer = new dev.distil4j.tokenizer.pretokenizer.ByteLevel(false, bl.trimOffsets(), bl.useRegex(), bl.tables());
        } else {
            slowPrefixSpace = false;
            piecePreTokenizer = preTokenizer;
        }
        chunkable = cutsCleanly();
    }

    /**
     * Whether encoding a text equals encoding its parts one after the other when it is cut before a
     * space that follows an ASCII letter or digit ({@link #nextCut}). That holds when every stage is
     * local around such a space: the normalizers map it and the ASCII character before it one to one
     * and never join them (no {@code Replace}, whose pattern could span the cut); the pre-tokenizer
     * (or the first of a sequence, the others then see the same pieces) always ends a word before it
     * (ByteLevel's pattern ends a letter, digit or symbol run there and starts the next match with the
     * space); no added token could match across it (whitespace in its content, or rstrip eating the
     * space after an alphanumeric end). The models work word by word. Anything else: no cutting.
     */
    private boolean cutsCleanly() {
        if (!localNormalizer(normalizer) || !splitsBeforeSpaces(piecePreTokenizer)) {
            return false;
        }
        for (AddedToken t : added.tokens()) {
            String c = t.content();
            if (c.chars().anyMatch(ch -> Character.isWhitespace(ch) || Character.isSpaceChar(ch))
                    || t.rstrip() && isAsciiAlnum(c.charAt(c.length() - 1))) {
                return false;
            }
        }
        return true;
    }

    /** Whether {@link #encodeFirstWindow} tokenises long texts part by part (for the tests). */
    boolean cutsLongTexts() {
        return chunkable;
    }

    private static boolean localNormalizer(Normalizer n) {
        return switch (n) {
            case null -> true;
            case dev.distil4j.tokenizer.normalizer.NormalizerSequence s ->
                    s.normalizers().stream().allMatch(Tokenizer::localNormalizer);
            case dev.distil4j.tokenizer.normalizer.Replace r -> false;
            default -> true;  // BertNormalizer, Lowercase, StripAccents, Unicode normal forms
        };
    }

    private static boolean splitsBeforeSpaces(PreTokenizer p) {
        return switch (p) {
            case null -> false;
            case dev.distil4j.tokenizer.pretokenizer.BertPreTokenizer b -> true;
            case dev.distil4j.tokenizer.pretokenizer.Whitespace w -> true;
            case dev.distil4j.tokenizer.pretokenizer.WhitespaceSplit w -> true;
            case dev.distil4j.tokenizer.pretokenizer.ByteLevel b -> b.useRegex();
            case dev.distil4j.tokenizer.pretokenizer.PreTokenizerSequence s ->
                    !s.preTokenizers().isEmpty() && splitsBeforeSpaces(s.preTokenizers().get(0));
            default -> false;
        };
    }

    private static boolean isAsciiAlnum(char c) {
        return c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z';
    }

    // ---------------------------------------------------------------- factories

    /**
     * Loads {@code dir/tokenizer.json} when present (plus {@code tokenizer_config.json}), otherwise the
     * legacy files: {@code vocab.txt} (BERT family) or {@code vocab.json} + {@code merges.txt} (RoBERTa).
     */
    public static Tokenizer fromDirectory(Path dir) {
        if (Files.isRegularFile(dir.resolve("tokenizer.json"))) {
            return TokenizerJson.read(dir.resolve("tokenizer.json"), LegacyFiles.readConfig(dir));
        }
        return LegacyFiles.load(dir);
    }

    /** Reads a tokenizer.json (and the {@code tokenizer_config.json} beside it, if any). */
    public static Tokenizer fromTokenizerJson(Path file) {
        Path parent = file.toAbsolutePath().getParent();
        return TokenizerJson.read(file, parent == null ? null : LegacyFiles.readConfig(parent));
    }

    /**
     * A BERT-family WordPiece tokenizer from {@code vocab.txt}, configured like {@code BertTokenizer}
     * with the given options ({@code tokenizer_config.json} keys: do_lower_case, strip_accents,
     * tokenize_chinese_chars, never_split, model_max_length, special tokens).
     */
    public static Tokenizer fromWordPieceVocab(Path vocabTxt, Map<String, Object> options) {
        return LegacyFiles.wordPiece(vocabTxt, options);
    }

    /** A RoBERTa byte-level BPE tokenizer from {@code vocab.json} + {@code merges.txt} (options: add_prefix_space, ...). */
    public static Tokenizer fromBpeFiles(Path vocabJson, Path mergesTxt, Map<String, Object> options) {
        return LegacyFiles.bpe(vocabJson, mergesTxt, options);
    }

    /**
     * The same tokenizer, truncating on {@code side} when {@link EncodeOptions#truncationSide()} does not
     * say (a server choosing the side per request, as text-embeddings-inference's {@code truncation_direction}).
     */
    public Tokenizer withTruncationSide(Side side) {
        if (config.truncationSide() == side) return this;
        return new Tokenizer(normalizer, preTokenizer, model, postProcessor, decoder, added.tokens(),
                config.withTruncationSide(side), jsonTruncation, jsonPadding);
    }

    /** Writes this tokenizer as a tokenizer.json that Hugging Face (and this class) can read. */
    public void save(Path file) {
        TokenizerJson.write(this, file);
    }

    // ---------------------------------------------------------------- encoding

    public Encoding encode(String text) {
        return encode(text, null, EncodeOptions.DEFAULT);
    }

    public Encoding encode(String text, EncodeOptions options) {
        return encode(text, null, options);
    }

    public Encoding encodePair(String text, String pair) {
        return encode(text, pair, EncodeOptions.DEFAULT);
    }

    /** Encodes {@code text} (and {@code pair} when not null); padding applies to this one encoding. */
    public Encoding encode(String text, String pair, EncodeOptions options) {
        RawEncoding r = encodeRaw(text, pair, options);
        if (options.padding() != PaddingStrategy.NONE) {
            int target = options.padding() == PaddingStrategy.MAX_LENGTH ? maxLength(options) : r.len;
            pad(List.of(r), target, options);
        }
        return freeze(r);
    }

    public BatchEncoding encodeBatch(List<String> texts, EncodeOptions options) {
        return encodeBatch(texts, null, options);
    }

    /** Encodes a batch (pairs when {@code pairs} is not null) and pads it as {@code options} say. */
    public BatchEncoding encodeBatch(List<String> texts, List<String> pairs, EncodeOptions options) {
        if (pairs != null && pairs.size() != texts.size()) {
            throw new IllegalArgumentException("texts and pairs differ in size: " + texts.size() + " vs " + pairs.size());
        }
        List<RawEncoding> raws = new ArrayList<>(texts.size());
        for (int i = 0; i < texts.size(); i++) {
            raws.add(encodeRaw(texts.get(i), pairs == null ? null : pairs.get(i), options));
        }
        if (options.padding() != PaddingStrategy.NONE && !raws.isEmpty()) {
            int target;
            if (options.padding() == PaddingStrategy.MAX_LENGTH) {
                target = maxLength(options);
            } else {
                target = 0;
                for (RawEncoding r : raws) {
                    target = Math.max(target, r.len);
                }
            }
            pad(raws, target, options);
        }
        List<Encoding> out = new ArrayList<>(raws.size());
        for (RawEncoding r : raws) {
            out.add(freeze(r));
        }
        return new BatchEncoding(out);
    }

    /** The tokens of {@code text} without special tokens ({@code tokenizer.tokenize(text)}). */
    public List<String> tokenize(String text) {
        return List.of(encode(text, null, EncodeOptions.DEFAULT.withAddSpecialTokens(false)).tokens());
    }

    private int maxLength(EncodeOptions o) {
        return o.maxLength() > 0 ? o.maxLength() : config.modelMaxLength();
    }

    private void pad(List<RawEncoding> raws, int target, EncodeOptions o) {
        int m = o.padToMultipleOf();
        if (m > 0 && target % m != 0) {
            target += m - target % m;
        }
        String padTok = config.padToken();
        if (padTok == null) {
            throw new TokenizerException("padding requested but the tokenizer has no pad token");
        }
        int padId = tokenToId(padTok);
        if (padId < 0) {
            throw new TokenizerException("pad token '" + padTok + "' is not in the vocabulary");
        }
        boolean left = (o.paddingSide() != null ? o.paddingSide() : config.paddingSide()) == Side.LEFT;
        for (RawEncoding r : raws) {
            r.pad(target, padId, 0, padTok, left);
        }
    }

    private RawEncoding encodeRaw(String text, String pair, EncodeOptions o) {
        return encodeRaw(text, pair, o, null);
    }

    /**
     * An encoding with truncation but without its overflowing windows ({@link #encode} and then dropping
     * {@link Encoding#overflowing()}), and whether truncation cut anything.
     */
    public record FirstWindow(Encoding encoding, boolean truncated) {}

    /**
     * {@link #encode(String, String, EncodeOptions)} for callers that keep only the first window: the same
     * ids, tokens, offsets and word ids, no overflowing windows. With right truncation the text is
     * tokenised only as far as the kept tokens (a 16 MB text cut to 512 tokens costs what a few
     * kilobytes do); a pair's sequences that need cutting are counted part by part, without keeping
     * their tokens. Left truncation, and tokenizers whose stages could join text across the cuts, fall
     * back to the whole encode.
     */
    public FirstWindow encodeFirstWindow(String text, String pair, EncodeOptions options) {
        boolean[] truncated = new boolean[1];
        RawEncoding r = encodeRaw(text, pair, options, truncated);
        if (options.padding() != PaddingStrategy.NONE) {
            int target = options.padding() == PaddingStrategy.MAX_LENGTH ? maxLength(options) : r.len;
            pad(List.of(r), target, options);
        }
        return new FirstWindow(freeze(r), truncated[0]);
    }

    /**
     * The number of tokens {@code text} encodes to without special tokens, counted up to {@code atMost}
     * ({@code min(count, atMost)}): the text is tokenised part by part without keeping the tokens, and
     * no further than {@code atMost} tokens.
     */
    public int countTokens(String text, int atMost) {
        if (text == null) {
            throw new IllegalArgumentException("text is null");
        }
        return Math.min(atMost, encodeParts(text, 0, atMost, new RawEncoding(64), false));
    }

    /** @param truncated null: the whole encoding with its overflowing windows; else the first window, and whether it was cut */
    private RawEncoding encodeRaw(String text, String pair, EncodeOptions o, boolean[] truncated) {
        if (text == null) {
            throw new IllegalArgumentException("text is null");
        }
        int room = -1;
        if (o.truncation() != TruncationStrategy.NONE) {
            int max = maxLength(o);
            int nAdded = o.addSpecialTokens() && postProcessor != null ? postProcessor.addedTokens(pair != null) : 0;
            if (max != Integer.MAX_VALUE) {
                if (max < nAdded) {
                    throw new TokenizerException("max_length " + max + " leaves no room: " + nAdded
                            + " special tokens are added");
                }
                room = max - nAdded;
            }
        }
        boolean left = (o.truncationSide() != null ? o.truncationSide() : config.truncationSide()) == Side.LEFT;
        // right truncation keeps the first tokens: each sequence is tokenised to one past the room (enough
        // to know it is cut), and the uncut length counted only when a pair's split needs it
        boolean early = truncated != null && room >= 0 && chunkable && !left;
        int limit = early ? room + 1 : Integer.MAX_VALUE;
        RawEncoding a = encodeSequence(text, 0, limit);
        RawEncoding b = pair == null ? null : encodeSequence(pair, 1, limit);
        if (room >= 0) {
            int la = a.len;
            int lb = b == null ? -1 : b.len;
            if (b != null && early) {
                la = a.len < limit ? la : countTokens(text, Integer.MAX_VALUE);
                lb = b.len < limit ? lb : countTokens(pair, Integer.MAX_VALUE);
            }
            int[] keep = truncatedLengths(la, lb, room, o.truncation());
            // a sequence left whole although longer than the room (slow tokenizers' too-short only_*)
            if (keep[0] > a.len) {
                a = encodeSequence(text, 0, Integer.MAX_VALUE);
            }
            if (b != null && keep[1] > b.len) {
                b = encodeSequence(pair, 1, Integer.MAX_VALUE);
            }
            try {
                a.truncate(keep[0], o.stride(), left);
                if (b != null) {
                    b.truncate(keep[1], o.stride(), left);
                }
            } catch (IllegalArgumentException e) {
                throw new TokenizerException(e.getMessage(), e);
            }
            if (truncated != null) {
                truncated[0] = keep[0] < la || b != null && keep[1] < lb;
            }
        }
        if (truncated != null) {
            a.overflowing.clear();
            if (b != null) {
                b.overflowing.clear();
            }
        }
        return PostProcessor.run(postProcessor, a, b, o.addSpecialTokens());
    }

    /**
     * How many tokens truncation to {@code max} keeps of sequences of {@code la} and {@code lb} tokens
     * ({@code lb} -1: no pair), as Hugging Face's strategies (or transformers' slow ones) decide.
     */
    private int[] truncatedLengths(int la, int lb, int max, TruncationStrategy s) {
        boolean pair = lb >= 0;
        if (max == 0) {
            return new int[] {0, 0};
        }
        int total = la + (pair ? lb : 0);
        if (total <= max) {
            return new int[] {la, lb};
        }
        int toRemove = total - max;
        switch (s) {
            case LONGEST_FIRST -> {
                if (!pair) {
                    return new int[] {total - toRemove, lb};
                }
                int n1 = la;
                int n2 = lb;
                if (config.flavor() == UnicodeTables.Flavor.PYTHON) {
                    // transformers 4.28 slow: one token at a time from the longer, ties from the second
                    for (int k = 0; k < toRemove; k++) {
                        if (n1 > n2) {
                            n1--;
                        } else {
                            n2--;
                        }
                    }
                    return new int[] {n1, n2};
                }
                boolean swap = n1 > n2;
                if (swap) {
                    int t = n1;
                    n1 = n2;
                    n2 = t;
                }
                n2 = n1 > max ? n1 : Math.max(n1, max - n1);
                if (n1 + n2 > max) {
                    n1 = max / 2;
                    n2 = n1 + max % 2;
                }
                return swap ? new int[] {n2, n1} : new int[] {n1, n2};
            }
            case ONLY_FIRST, ONLY_SECOND -> {
                boolean first = s == TruncationStrategy.ONLY_FIRST;
                if (!first && !pair) {
                    throw new TokenizerException("truncation only_second needs a pair of sequences");
                }
                int len = first ? la : lb;
                if (len > toRemove) {
                    return first ? new int[] {la - toRemove, lb} : new int[] {la, lb - toRemove};
                }
                if (config.flavor() != UnicodeTables.Flavor.PYTHON) {
                    throw new TokenizerException("sequence to truncate is too short to respect max_length "
                            + "(it has " + len + " tokens, " + toRemove + " must go)");
                }
                // slow tokenizers only log an error and leave the input untruncated
                return new int[] {la, lb};
            }
            default -> {
                return new int[] {la, lb};
            }
        }
    }

    /** One sequence without special tokens: all its tokens, or (limit not MAX_VALUE) at least its first {@code limit}. */
    private RawEncoding encodeSequence(String text, int typeId, int limit) {
        RawEncoding r = new RawEncoding((int) Math.min(text.length() / 3, 2L * limit) + 4);
        encodeParts(text, typeId, limit, r, true);
        return r;
    }

    /** Parts start at this many characters and double up to {@link #MAX_PART}: enough for the first window, bounded memory. */
    private static final int MIN_PART = 1 << 10;
    private static final int MAX_PART = 1 << 16;

    /**
     * Tokenises {@code text} into {@code into} (kept, or each part's tokens dropped when counting) until
     * {@code limit} tokens are produced; returns how many were. A whole encode (limit MAX_VALUE, kept)
     * and a tokenizer that cannot be cut run as one part.
     */
    private int encodeParts(String text, int typeId, int limit, RawEncoding into, boolean keep) {
        int n = text.length();
        if (!chunkable || keep && limit == Integer.MAX_VALUE) {
            encodePart(text, 0, n, typeId, into, 0, 0);
            return into.len;
        }
        int from = 0;
        int word = 0;
        int cpBase = 0;
        int count = 0;
        int part = (int) Math.min(MAX_PART, Math.max(MIN_PART, 8L * limit));
        while (from < n && count < limit) {
            int to = nextCut(text, (int) Math.min(n, (long) from + part));
            if (!keep) {
                into.len = 0;
            }
            int before = into.len;
            word = encodePart(text, from, to, typeId, into, word, cpBase);
            count += into.len - before;
            cpBase += text.codePointCount(from, to);
            from = to;
            part = Math.min(MAX_PART, part * 2);
        }
        return count;
    }

    /** The first place at or after {@code i} (> 0) where {@link #cutsCleanly()} allows a cut, else the text's end. */
    private static int nextCut(String s, int i) {
        for (; i < s.length(); i++) {
            if (s.charAt(i) == ' ' && isAsciiAlnum(s.charAt(i - 1))) {
                return i;
            }
        }
        return s.length();
    }

    /**
     * Normalize, split on added tokens, pre-tokenize, run the model: {@code text[from, to)} as a part of
     * one sequence, no special tokens, appended to {@code r}. Offsets are the whole text's;
     * {@code cpBase} code points and {@code word} words precede the part. Returns the next word id.
     */
    private int encodePart(String text, int from, int to, int typeId, RawEncoding r, int word, int cpBase) {
        NormalizedString whole = NormalizedString.of(text, from, to);
        if (from == 0 && slowPrefixSpace && !whole.isEmpty() && !UnicodeTables.PYTHON.isSplitWhitespace(whole.cp(0))) {
            // RobertaTokenizer.prepare_for_tokenization: " " + text, before special tokens are split off
            NormalizedString.Builder b = whole.rewrite();
            b.emit(' ', 0, 0);
            for (int i = 0; i < whole.length(); i++) {
                b.keep(i);
            }
            b.commit();
        }
        List<AddedVocabulary.Piece> pieces = new ArrayList<>();
        if (added.hasRaw()) {
            int[] m = added.findMatches(whole.codePoints(), whole.length(), false);
            AddedVocabulary.splitPieces(whole, m, pieces);
        } else if (!whole.isEmpty()) {
            pieces.add(new AddedVocabulary.Piece(whole, -1));
        }
        List<AddedVocabulary.Piece> normalizedPieces = new ArrayList<>(pieces.size() + 4);
        for (AddedVocabulary.Piece p : pieces) {
            if (p.tokenId() >= 0) {
                normalizedPieces.add(p);
                continue;
            }
            NormalizedString ns = p.text();
            if (normalizer != null) {
                normalizer.normalize(ns);
            }
            if (ns.isEmpty()) {
                continue;
            }
            if (added.hasNormalized()) {
                int[] m = added.findMatches(ns.codePoints(), ns.length(), true);
                AddedVocabulary.splitPieces(ns, m, normalizedPieces);
            } else {
                normalizedPieces.add(p);
            }
        }
        Utf16ToCp conv = new Utf16ToCp(text, from, to, cpBase);
        List<NormalizedString> words = new ArrayList<>();
        for (AddedVocabulary.Piece p : normalizedPieces) {
            NormalizedString ns = p.text();
            if (p.tokenId() >= 0) {
                int s = ns.start(0);
                int e = ns.end(ns.length() - 1);
                // Rust reports the matched text (whitespace eaten by lstrip/rstrip included) as the token;
                // the slow tokenizers report the token's content.
                String tokenText = config.flavor() == UnicodeTables.Flavor.RUST ? ns.text() : idToToken(p.tokenId());
                r.add(p.tokenId(), tokenText, typeId, word, s, e, conv.cp(s), conv.cp(e), 0);
                word++;
                continue;
            }
            words.clear();
            if (piecePreTokenizer != null) {
                piecePreTokenizer.split(ns, words);
            } else if (!ns.isEmpty()) {
                words.add(ns);
            }
            for (NormalizedString w : words) {
                final int wordId = word;
                model.tokenize(w, (id, s, e) -> {
                    int os = w.start(s);
                    int oe = w.end(e - 1);
                    r.add(id, model.vocab().token(id), typeId, wordId, os, oe, conv.cp(os), conv.cp(oe), 0);
                });
                word++;
            }
        }
        return word;
    }

    /** UTF-16 index → code-point index within {@code s[from, to]}, cheap when that part has no surrogates. */
    private static final class Utf16ToCp {
        private final int[] map;
        private final int from;
        private final int cpBase;

        Utf16ToCp(String s, int from, int to, int cpBase) {
            this.from = from;
            this.cpBase = cpBase;
            int[] m = null;
            for (int i = from; i < to; i++) {
                if (Character.isSurrogate(s.charAt(i))) {
                    m = new int[to - from + 1];
                    break;
                }
            }
            if (m != null) {
                int cp = cpBase;
                for (int i = from; i < to; i++) {
                    m[i - from] = cp;
                    if (!(Character.isHighSurrogate(s.charAt(i)) && i + 1 < to
                            && Character.isLowSurrogate(s.charAt(i + 1)))) {
                        cp++;
                    }
                }
                m[to - from] = cp;
            }
            map = m;
        }

        int cp(int utf16) {
            return map == null ? cpBase + utf16 - from : map[utf16 - from];
        }
    }

    private static Encoding freeze(RawEncoding r) {
        int n = r.len;
        int[] off = new int[2 * n];
        int[] cpOff = new int[2 * n];
        for (int i = 0; i < n; i++) {
            off[2 * i] = r.offStart[i];
            off[2 * i + 1] = r.offEnd[i];
            cpOff[2 * i] = r.cpStart[i];
            cpOff[2 * i + 1] = r.cpEnd[i];
        }
        List<Encoding> over = new ArrayList<>(r.overflowing.size());
        for (RawEncoding o : r.overflowing) {
            over.add(freeze(o));
        }
        return new Encoding(java.util.Arrays.copyOf(r.ids, n), java.util.Arrays.copyOf(r.tokens, n),
                java.util.Arrays.copyOf(r.typeIds, n), java.util.Arrays.copyOf(r.attention, n),
                java.util.Arrays.copyOf(r.specialMask, n), java.util.Arrays.copyOf(r.words, n), r.sequenceIds(),
                off, cpOff, over);
    }

    // ---------------------------------------------------------------- decoding

    /** Decodes with special tokens kept and the configured clean-up. */
    public String decode(int[] ids) {
        return decode(ids, false, config.cleanUpTokenizationSpaces());
    }

    /**
     * Decodes ids to text: the decoder, then (like {@code transformers}) the tokenization-space clean-up
     * when {@code cleanUpTokenizationSpaces}. Unknown ids are skipped.
     */
    public String decode(int[] ids, boolean skipSpecialTokens, boolean cleanUpTokenizationSpaces) {
        List<String> toks = new ArrayList<>(ids.length);
        for (int id : ids) {
            String t = idToToken(id);
            if (t == null) {
                continue;
            }
            if (skipSpecialTokens && isSpecialId(id)) {
                continue;
            }
            toks.add(t);
        }
        String text = convertTokensToString(toks);
        return cleanUpTokenizationSpaces ? Decoder.cleanUpTokenization(text) : text;
    }

    /** Joins tokens into text with the decoder (no clean-up): {@code convert_tokens_to_string}. */
    public String convertTokensToString(List<String> tokens) {
        return decoder == null ? String.join(" ", tokens) : decoder.decode(tokens);
    }

    private boolean isSpecialId(int id) {
        AddedToken t = added.byId(id);
        return t != null && t.special();
    }

    // ---------------------------------------------------------------- vocabulary

    /** The id of {@code token} (added tokens first, then the model's vocabulary), or -1. */
    public int tokenToId(String token) {
        AddedToken t = added.byContent(token);
        return t != null ? t.id() : model.vocab().get(token);
    }

    /** The token of {@code id}, or null. */
    public String idToToken(int id) {
        AddedToken t = added.byId(id);
        return t != null ? t.content() : model.vocab().token(id);
    }

    /** Size of the vocabulary including added tokens ({@code len(tokenizer)}). */
    public int vocabSize() {
        int n = model.vocab().size();
        for (AddedToken t : added.tokens()) {
            if (model.vocab().get(t.content()) < 0) {
                n++;
            }
        }
        return n;
    }

    /** Token → id: the model's vocabulary plus added tokens. */
    public Map<String, Integer> vocab() {
        Map<String, Integer> m = new LinkedHashMap<>(model.vocab().asMap());
        m.putAll(added.asMap());
        return m;
    }

    /** Special tokens added by the post-processor for a single sequence or a pair. */
    public int numSpecialTokensToAdd(boolean pair) {
        return postProcessor == null ? 0 : postProcessor.addedTokens(pair);
    }

    private int idOf(String token) {
        return token == null ? -1 : tokenToId(token);
    }

    public int padTokenId() {
        return idOf(config.padToken());
    }

    public int clsTokenId() {
        return idOf(config.clsToken());
    }

    public int sepTokenId() {
        return idOf(config.sepToken());
    }

    public int maskTokenId() {
        return idOf(config.maskToken());
    }

    public int unkTokenId() {
        return idOf(config.unkToken());
    }

    public int bosTokenId() {
        return idOf(config.bosToken());
    }

    public int eosTokenId() {
        return idOf(config.eosToken());
    }

    /** Ids of all special tokens (added tokens marked special). */
    public int[] specialTokenIds() {
        return added.specials().stream().mapToInt(AddedToken::id).toArray();
    }

    public int modelMaxLength() {
        return config.modelMaxLength();
    }

    // ---------------------------------------------------------------- parts

    public TokenizerConfig config() {
        return config;
    }

    public Normalizer normalizer() {
        return normalizer;
    }

    public PreTokenizer preTokenizer() {
        return preTokenizer;
    }

    public Model model() {
        return model;
    }

    public PostProcessor postProcessor() {
        return postProcessor;
    }

    public Decoder decoder() {
        return decoder;
    }

    public List<AddedToken> addedTokens() {
        return added.tokens();
    }

    /** tokenizer.json's {@code truncation} section (not applied by {@code encode}; transformers ignores it too), or null. */
    public Map<String, Object> jsonTruncation() {
        return jsonTruncation;
    }

    /** tokenizer.json's {@code padding} section (not applied by {@code encode}), or null. */
    public Map<String, Object> jsonPadding() {
        return jsonPadding;
    }
}
