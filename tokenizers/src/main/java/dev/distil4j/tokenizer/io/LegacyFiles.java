package dev.distil4j.tokenizer.io;

import com.fasterxml.jackson.core.type.TypeReference;
import dev.distil4j.tokenizer.AddedToken;
import dev.distil4j.tokenizer.Side;
import dev.distil4j.tokenizer.Tokenizer;
import dev.distil4j.tokenizer.TokenizerConfig;
import dev.distil4j.tokenizer.TokenizerException;
import dev.distil4j.tokenizer.decoder.ByteLevelDecoder;
import dev.distil4j.tokenizer.decoder.SlowWordPieceDecoder;
import dev.distil4j.tokenizer.model.Bpe;
import dev.distil4j.tokenizer.model.Model;
import dev.distil4j.tokenizer.model.Vocab;
import dev.distil4j.tokenizer.model.WordPiece;
import dev.distil4j.tokenizer.normalizer.BertNormalizer;
import dev.distil4j.tokenizer.pretokenizer.BertPreTokenizer;
import dev.distil4j.tokenizer.pretokenizer.ByteLevel;
import dev.distil4j.tokenizer.processor.BertProcessing;
import dev.distil4j.tokenizer.processor.PostProcessor;
import dev.distil4j.tokenizer.processor.RobertaProcessing;
import dev.distil4j.tokenizer.processor.TemplateProcessing;
import dev.distil4j.tokenizer.text.UnicodeTables;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The legacy tokenizer files and {@code tokenizer_config.json}: builds the same pipeline as
 * {@code transformers}' converters (BertConverter, RobertaConverter) would, with the slow-tokenizer
 * behaviour of transformers 4.28 where it differs (see {@link Tokenizer}).
 */
public final class LegacyFiles {
    private LegacyFiles() {}

    private static final UnicodeTables P = UnicodeTables.PYTHON;

    /** Loads {@code vocab.txt} or {@code vocab.json} + {@code merges.txt} from {@code dir}, with its config. */
    public static Tokenizer load(Path dir) {
        Map<String, Object> cfg = readConfig(dir);
        Map<String, Object> opts = cfg == null ? new HashMap<>() : cfg;
        if (Files.isRegularFile(dir.resolve("vocab.txt"))) {
            return wordPiece(dir.resolve("vocab.txt"), opts);
        }
        if (Files.isRegularFile(dir.resolve("vocab.json")) && Files.isRegularFile(dir.resolve("merges.txt"))) {
            return bpe(dir.resolve("vocab.json"), dir.resolve("merges.txt"), opts);
        }
        throw new TokenizerException(dir + ": no tokenizer files (expected tokenizer.json, vocab.txt, or vocab.json + merges.txt)");
    }

    /**
     * {@code tokenizer_config.json} merged with {@code special_tokens_map.json} (the latter wins, as in
     * transformers), or null when neither exists.
     */
    public static Map<String, Object> readConfig(Path dir) {
        Map<String, Object> out = null;
        for (String name : new String[] {"tokenizer_config.json", "special_tokens_map.json"}) {
            Path f = dir.resolve(name);
            if (Files.isRegularFile(f)) {
                JsonFile j = JsonFile.read(f);
                if (!j.node.isObject()) {
                    throw j.error("expected a JSON object, found " + j.kind());
                }
                if (out == null) {
                    out = new LinkedHashMap<>();
                }
                out.putAll(JsonFile.MAPPER.convertValue(j.node, new TypeReference<LinkedHashMap<String, Object>>() {}));
            }
        }
        return out;
    }

    /** A special token entry: a plain string or an {@code AddedToken} dict. */
    record TokenSpec(String content, boolean lstrip, boolean rstrip, boolean singleWord, boolean normalized,
                     boolean explicit) {}

    static TokenSpec spec(Map<String, Object> opts, String key, String dflt, boolean dfltLstrip) {
        Object v = opts == null ? null : opts.get(key);
        if (v == null) {
            if (opts != null && opts.containsKey(key)) {
                return null; // explicitly null: no such token
            }
            return dflt == null ? null : new TokenSpec(dflt, dfltLstrip, false, false, false, false);
        }
        if (v instanceof String s) {
            return new TokenSpec(s, dfltLstrip, false, false, false, false);
        }
        if (v instanceof Map<?, ?> m) {
            Object c = m.get("content");
            if (!(c instanceof String s)) {
                throw new TokenizerException("tokenizer_config: " + key + ": AddedToken without string content");
            }
            return new TokenSpec(s, bool(m.get("lstrip"), false), bool(m.get("rstrip"), false),
                    bool(m.get("single_word"), false), bool(m.get("normalized"), false), true);
        }
        throw new TokenizerException("tokenizer_config: " + key + ": expected a string or an AddedToken object");
    }

    private static boolean bool(Object o, boolean d) {
        return o instanceof Boolean b ? b : d;
    }

    private static int maxLen(Map<String, Object> opts) {
        Object v = opts == null ? null : opts.get("model_max_length");
        if (v instanceof Number n) {
            double d = n.doubleValue();
            return d >= Integer.MAX_VALUE || d <= 0 ? Integer.MAX_VALUE : (int) d;
        }
        return Integer.MAX_VALUE;
    }

    private static Side side(Map<String, Object> opts, String key) {
        Object v = opts == null ? null : opts.get(key);
        return "left".equals(v) ? Side.LEFT : Side.RIGHT;
    }

    /** The config record for a tokenizer, special tokens from {@code opts} or guessed from the pipeline. */
    static TokenizerConfig toConfig(Map<String, Object> opts, Model model, PostProcessor post, UnicodeTables.Flavor flavor) {
        boolean bert = model instanceof WordPiece;
        String unk = tokenOf(opts, "unk_token", bert ? "[UNK]" : "<unk>", model);
        String cls = tokenOf(opts, "cls_token", bert ? "[CLS]" : "<s>", model);
        String sep = tokenOf(opts, "sep_token", bert ? "[SEP]" : "</s>", model);
        String pad = tokenOf(opts, "pad_token", bert ? "[PAD]" : "<pad>", model);
        String mask = tokenOf(opts, "mask_token", bert ? "[MASK]" : "<mask>", model);
        String bos = tokenOf(opts, "bos_token", bert ? null : "<s>", model);
        String eos = tokenOf(opts, "eos_token", bert ? null : "</s>", model);
        boolean cleanUp = opts == null || bool(opts.get("clean_up_tokenization_spaces"), true);
        return new TokenizerConfig(maxLen(opts), side(opts, "padding_side"), side(opts, "truncation_side"), cleanUp,
                unk, cls, sep, pad, mask, bos, eos, flavor);
    }

    private static String tokenOf(Map<String, Object> opts, String key, String dflt, Model model) {
        if (opts != null && opts.containsKey(key)) {
            TokenSpec s = spec(opts, key, null, false);
            return s == null ? null : s.content();
        }
        // no config: the usual token when the vocabulary has it
        return dflt != null && model.vocab().get(dflt) >= 0 ? dflt : null;
    }

    // ------------------------------------------------------------------ WordPiece

    /** {@code BertTokenizer(vocab.txt, **opts)}. */
    public static Tokenizer wordPiece(Path vocabTxt, Map<String, Object> opts) {
        Map<String, Integer> tokens = new LinkedHashMap<>();
        List<String> lines = readLines(vocabTxt);
        for (int i = 0; i < lines.size(); i++) {
            String t = lines.get(i);
            Integer before = tokens.putIfAbsent(t, i);
            // Python would keep the later line and leave the earlier id without a token: a broken vocabulary
            if (before != null) {
                throw new TokenizerException(vocabTxt + ": line " + (i + 1) + ": token '" + t + "' is already on line "
                        + (before + 1) + "; each line must hold a different token");
            }
        }
        if (tokens.isEmpty()) {
            throw new TokenizerException(vocabTxt + ": line 1: empty vocabulary");
        }
        Vocab vocab = new Vocab(tokens);
        Map<String, Object> o = opts == null ? Map.of() : opts;
        boolean lower = bool(o.get("do_lower_case"), true);
        Object sa = o.get("strip_accents");
        Boolean strip = sa instanceof Boolean b ? b : null;
        boolean chinese = bool(o.get("tokenize_chinese_chars"), true);
        TokenSpec unk = spec(o, "unk_token", "[UNK]", false);
        TokenSpec sep = spec(o, "sep_token", "[SEP]", false);
        TokenSpec pad = spec(o, "pad_token", "[PAD]", false);
        TokenSpec cls = spec(o, "cls_token", "[CLS]", false);
        TokenSpec mask = spec(o, "mask_token", "[MASK]", false);
        String unkToken = unk == null ? "[UNK]" : unk.content();
        // here, not at the first unknown word, where the error could no longer name the file
        if (vocab.get(unkToken) < 0) {
            throw new TokenizerException(vocabTxt + ": the unknown token '" + unkToken + "' is not in the vocabulary");
        }
        WordPiece model = new WordPiece(vocab, unkToken, "##", 100);
        List<AddedToken> added = specials(vocabTxt, vocab, o, unk, sep, pad, cls, mask);
        Object ns = o.get("never_split");
        if (ns instanceof List<?> list) {
            // never_split words are kept whole by the basic tokenizer; modelled as single-word added tokens
            for (Object w : list) {
                if (w instanceof String s && vocab.get(s) >= 0 && added.stream().noneMatch(a -> a.content().equals(s))) {
                    added.add(new AddedToken(s, vocab.get(s), false, true, false, false, true));
                }
            }
        }
        added.sort(Comparator.comparingInt(AddedToken::id));
        if (cls == null || sep == null || vocab.get(cls.content()) < 0 && idOf(added, cls.content()) < 0) {
            throw new TokenizerException(vocabTxt + ": the [CLS]/[SEP] tokens are not in the vocabulary");
        }
        int clsId = idOf(added, cls.content());
        int sepId = idOf(added, sep.content());
        PostProcessor post = new BertProcessing(sep.content(), sepId, cls.content(), clsId).asTemplate();
        TokenizerConfig cfg = toConfig(o, model, post, UnicodeTables.Flavor.PYTHON);
        return new Tokenizer(new BertNormalizer(true, chinese, strip, lower, P), new BertPreTokenizer(P), model, post,
                new SlowWordPieceDecoder("##"), added, cfg, null, null);
    }

    private static int idOf(List<AddedToken> added, String content) {
        for (AddedToken t : added) {
            if (t.content().equals(content)) {
                return t.id();
            }
        }
        return -1;
    }

    /**
     * Special tokens as added tokens (special, matched whole in the raw text); one missing from the
     * vocabulary gets the next free id, as {@code add_special_tokens} does.
     */
    private static List<AddedToken> specials(Path source, Vocab vocab, Map<String, Object> o, TokenSpec... specs) {
        List<TokenSpec> all = new ArrayList<>();
        for (TokenSpec s : specs) {
            if (s != null) {
                all.add(s);
            }
        }
        Object extra = o.get("additional_special_tokens");
        if (extra instanceof List<?> list) {
            for (int i = 0; i < list.size(); i++) {
                Map<String, Object> one = new HashMap<>();
                one.put("t", list.get(i));
                TokenSpec s = spec(one, "t", null, false);
                if (s != null) {
                    all.add(s);
                }
            }
        }
        List<AddedToken> out = new ArrayList<>();
        long next = vocab.idLimit();
        for (TokenSpec s : all) {
            if (idOf(out, s.content()) >= 0) {
                continue;
            }
            int id = vocab.get(s.content());
            if (id < 0) {
                if (next > Integer.MAX_VALUE) {
                    throw new TokenizerException(source + ": no id is left for special token '" + s.content()
                            + "': the vocabulary already uses id " + Integer.MAX_VALUE);
                }
                id = (int) next++;
            }
            out.add(new AddedToken(s.content(), id, true, s.singleWord(), s.lstrip(), s.rstrip(), s.normalized()));
        }
        return out;
    }

    // ------------------------------------------------------------------ BPE

    /** {@code RobertaTokenizer(vocab.json, merges.txt, **opts)}. */
    public static Tokenizer bpe(Path vocabJson, Path mergesTxt, Map<String, Object> opts) {
        Vocab vocab = TokenizerJson.vocab(JsonFile.read(vocabJson));
        List<String[]> merges = new ArrayList<>();
        List<String> lines = readLines(mergesTxt);
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            if (i == 0 && line.startsWith("#version") || line.isEmpty()) {
                continue;
            }
            String[] parts = line.split(" ");
            if (parts.length != 2 || parts[0].isEmpty() || parts[1].isEmpty()) {
                throw new TokenizerException(mergesTxt + ": line " + (i + 1) + ": expected two tokens separated by"
                        + " one space, found '" + line + "'");
            }
            merges.add(parts);
        }
        Bpe model;
        try {
            model = new Bpe(vocab, merges, null, "", "", false, false, 10_000);
        } catch (TokenizerException e) {
            throw new TokenizerException(mergesTxt + ": " + e.getMessage(), e);
        }
        Map<String, Object> o = opts == null ? Map.of() : opts;
        boolean prefixSpace = bool(o.get("add_prefix_space"), false);
        boolean trim = bool(o.get("trim_offsets"), true);
        TokenSpec bos = spec(o, "bos_token", "<s>", false);
        TokenSpec eos = spec(o, "eos_token", "</s>", false);
        TokenSpec sep = spec(o, "sep_token", "</s>", false);
        TokenSpec cls = spec(o, "cls_token", "<s>", false);
        TokenSpec unk = spec(o, "unk_token", "<unk>", false);
        TokenSpec pad = spec(o, "pad_token", "<pad>", false);
        TokenSpec mask = spec(o, "mask_token", "<mask>", true);
        List<AddedToken> added = specials(vocabJson, vocab, o, bos, eos, sep, cls, unk, pad, mask);
        added.sort(Comparator.comparingInt(AddedToken::id));
        if (cls == null || sep == null) {
            throw new TokenizerException(vocabJson + ": RoBERTa needs cls and sep tokens");
        }
        PostProcessor post = new RobertaProcessing(sep.content(), idOf(added, sep.content()), cls.content(),
                idOf(added, cls.content()), trim, prefixSpace);
        TokenizerConfig cfg = toConfig(o, model, post, UnicodeTables.Flavor.PYTHON);
        return new Tokenizer(null, new ByteLevel(prefixSpace, trim, true, P), model, post, new ByteLevelDecoder(),
                added, cfg, null, null);
    }

    /**
     * Lines without their terminator. As Python reads them (text mode, universal newlines: the slow
     * tokenizers open vocab.txt and merges.txt so), {@code \r\n}, {@code \r} and {@code \n} all end a line;
     * a file written on Windows loads as it does in transformers.
     */
    private static List<String> readLines(Path file) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new TokenizerException(file + ": file not found");
        } catch (IOException e) {
            throw new TokenizerException(file + ": cannot read: " + e.getMessage(), e);
        }
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(java.nio.ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            int line = 1;
            int bad = firstInvalidUtf8(bytes);
            for (int i = 0; i < bad; i++) {
                if (bytes[i] == '\n') {
                    line++;
                }
            }
            throw new TokenizerException(file + ": line " + line + " (byte offset " + bad + "): invalid UTF-8");
        }
        List<String> out = new ArrayList<>();
        int start = 0;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '\n' || c == '\r') {
                out.add(text.substring(start, i));
                if (c == '\r' && i + 1 < text.length() && text.charAt(i + 1) == '\n') {
                    i++;
                }
                start = i + 1;
            }
        }
        if (start < text.length()) {
            out.add(text.substring(start));
        }
        return out;
    }

    private static int firstInvalidUtf8(byte[] b) {
        java.nio.ByteBuffer in = java.nio.ByteBuffer.wrap(b);
        java.nio.CharBuffer out = java.nio.CharBuffer.allocate(b.length + 1);
        var r = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT).decode(in, out, true);
        return r.isError() ? in.position() : b.length;
    }
}
