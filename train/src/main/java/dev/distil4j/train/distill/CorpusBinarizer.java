package dev.distil4j.train.distill;

import dev.distil4j.tokenizer.EncodeOptions;
import dev.distil4j.tokenizer.Tokenizer;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.IntStream;

/**
 * Plain text files (one document or sentence per line) to token id sequences, tokenised once with the
 * teacher's tokenizer, as the research project's {@code scripts/binarized_data.py} does: each line is
 * stripped (Python's {@code str.strip()}), written as {@code "<cls> line <sep>"} and encoded without adding
 * special tokens, so the literal cls/sep strings become their ids. Empty lines give {@code [cls, sep]} (the
 * dataset clean-up drops them later). Unlike the script, the order of the lines is kept: the batch sampler
 * shuffles anyway, and a stable order makes the cache reproducible.
 *
 * <p>For BERT this equals encoding the stripped line with special tokens. For RoBERTa it does not, and that is
 * kept on purpose: the slow tokenizer the script used does not strip the spaces around {@code <s>}/{@code </s>},
 * so the first word gets its space-prefixed form and a lone {@code Ġ} precedes {@code </s>}, as in the
 * research project's data.
 *
 * <p>{@link #load} keeps a {@link CorpusCache} beside the run: reused when both the sources' contents and
 * the tokenizer are unchanged, rebuilt when either changed, an error when it is damaged.
 */
public final class CorpusBinarizer {
    /** Lines tokenised per parallel block: bounds memory on big corpora. */
    private static final int BLOCK = 1 << 16;
    /** Part of the tokenizer digest: a change of this recipe must invalidate old caches. */
    private static final String RECIPE = "distil4j binarized_data v1: <cls> + ' ' + strip(line) + ' ' + <sep>, no added special tokens";

    private final Tokenizer tokenizer;
    private final String cls;
    private final String sep;
    private final EncodeOptions options;

    public CorpusBinarizer(Tokenizer tokenizer) {
        this.tokenizer = tokenizer;
        this.cls = tokenizer.config().clsToken();
        this.sep = tokenizer.config().sepToken();
        if (cls == null || sep == null || tokenizer.clsTokenId() < 0 || tokenizer.sepTokenId() < 0) {
            throw new IllegalArgumentException("the tokenizer has no cls/sep token: it cannot wrap sequences");
        }
        this.options = EncodeOptions.DEFAULT.withAddSpecialTokens(false);
    }

    /** One result of {@link #load}: the sequences and whether they came from the cache. */
    public record Loaded(TokenSequences sequences, boolean fromCache) {}

    /** The ids of one line: {@code [cls] tokens(strip(line)) [sep]}. */
    public int[] encodeLine(String line) {
        return tokenizer.encode(cls + " " + pythonStrip(line) + " " + sep, options).ids();
    }

    /** Tokenises every line of {@code files}, in order (lines split at \n, \r\n or \r, as Python reads text). */
    public TokenSequences binarize(List<Path> files) throws IOException {
        TokenSequences.Builder out = TokenSequences.builder();
        for (Path f : files) {
            try (BufferedReader r = reader(f)) {
                List<String> block = new ArrayList<>(BLOCK);
                long lineNo = 0;
                while (true) {
                    String line;
                    try {
                        line = r.readLine();
                    } catch (CharacterCodingException e) {
                        throw new IOException(f + ": not valid UTF-8 after line " + lineNo, e);
                    }
                    if (line != null) {
                        block.add(line);
                        lineNo++;
                    }
                    if (block.size() == BLOCK || (line == null && !block.isEmpty())) {
                        List<String> lines = block;
                        int[][] enc = IntStream.range(0, lines.size()).parallel()
                                .mapToObj(i -> encodeLine(lines.get(i))).toArray(int[][]::new);
                        for (int[] e : enc) {
                            out.add(e);
                        }
                        block = new ArrayList<>(BLOCK);
                    }
                    if (line == null) {
                        break;
                    }
                }
            }
        }
        return out.build();
    }

    /**
     * The tokenised corpus, from {@code cacheFile} when it was built from the same source contents with the same
     * tokenizer, otherwise tokenised afresh and written to {@code cacheFile}.
     *
     * @throws CorpusCacheException when {@code cacheFile} exists but is damaged
     */
    public Loaded load(List<Path> files, Path cacheFile) throws IOException {
        CorpusCache.Key key = new CorpusCache.Key(sourceDigest(files), tokenizerDigest());
        if (Files.exists(cacheFile)) {
            CorpusCache.Header h = CorpusCache.readHeader(cacheFile);
            if (h.key().equals(key) && h.vocabSize() == tokenizer.vocabSize()) {
                return new Loaded(CorpusCache.read(cacheFile), true);
            }
        }
        TokenSequences seqs = binarize(files);
        CorpusCache.write(cacheFile, seqs, tokenizer.vocabSize(), key);
        return new Loaded(seqs, false);
    }

    /** Hex SHA-256 over the files' contents in order (not their names: moving a corpus keeps its cache). */
    public static String sourceDigest(List<Path> files) throws IOException {
        MessageDigest md = sha256();
        byte[] buf = new byte[1 << 16];
        for (Path f : files) {
            md.update(("file " + Files.size(f) + "\n").getBytes(StandardCharsets.UTF_8));
            try (InputStream in = new DigestInputStream(Files.newInputStream(f), md)) {
                while (in.read(buf) >= 0) {
                    // the digest stream hashes what passes
                }
            }
        }
        return HexFormat.of().formatHex(md.digest());
    }

    /**
     * Hex SHA-256 of everything that decides the ids: the tokenizer's full tokenizer.json serialisation, its
     * configuration (special tokens, reference behaviour) and this class's recipe.
     */
    public String tokenizerDigest() throws IOException {
        Path tmp = Files.createTempFile("distil4j-tokenizer", ".json");
        try {
            tokenizer.save(tmp);
            MessageDigest md = sha256();
            md.update(Files.readAllBytes(tmp));
            md.update(("\n" + tokenizer.config() + "\n" + RECIPE).getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(md.digest());
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /** Python's {@code str.strip()}: removes the characters {@code str.isspace()} accepts, which Java's {@code strip} does not all know. */
    static String pythonStrip(String s) {
        int b = 0;
        int e = s.length();
        while (b < e && isPythonSpace(s.charAt(b))) {
            b++;
        }
        while (e > b && isPythonSpace(s.charAt(e - 1))) {
            e--;
        }
        return s.substring(b, e);
    }

    static boolean isPythonSpace(char c) {
        // Unicode White_Space-like set of CPython: Zs, Zl, Zp, \t\n\v\f\r, \x1c-\x1f, \x85
        return Character.isWhitespace(c) || Character.isSpaceChar(c) || c == '\u0085';
    }

    private static BufferedReader reader(Path f) throws IOException {
        return new BufferedReader(new InputStreamReader(Files.newInputStream(f), StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT)), 1 << 16);
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }
}
