package dev.distil4j.tokenizer.io;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.distil4j.tokenizer.AddedToken;
import dev.distil4j.tokenizer.Tokenizer;
import dev.distil4j.tokenizer.TokenizerConfig;
import dev.distil4j.tokenizer.TokenizerException;
import dev.distil4j.tokenizer.decoder.ByteLevelDecoder;
import dev.distil4j.tokenizer.decoder.Decoder;
import dev.distil4j.tokenizer.decoder.SlowWordPieceDecoder;
import dev.distil4j.tokenizer.decoder.WordPieceDecoder;
import dev.distil4j.tokenizer.model.Bpe;
import dev.distil4j.tokenizer.model.Model;
import dev.distil4j.tokenizer.model.Vocab;
import dev.distil4j.tokenizer.model.WordPiece;
import dev.distil4j.tokenizer.normalizer.BertNormalizer;
import dev.distil4j.tokenizer.normalizer.Lowercase;
import dev.distil4j.tokenizer.normalizer.Normalizer;
import dev.distil4j.tokenizer.normalizer.NormalizerSequence;
import dev.distil4j.tokenizer.normalizer.Replace;
import dev.distil4j.tokenizer.normalizer.StripAccents;
import dev.distil4j.tokenizer.normalizer.UnicodeNormalizer;
import dev.distil4j.tokenizer.pretokenizer.BertPreTokenizer;
import dev.distil4j.tokenizer.pretokenizer.ByteLevel;
import dev.distil4j.tokenizer.pretokenizer.PreTokenizer;
import dev.distil4j.tokenizer.pretokenizer.PreTokenizerSequence;
import dev.distil4j.tokenizer.pretokenizer.Punctuation;
import dev.distil4j.tokenizer.pretokenizer.Split;
import dev.distil4j.tokenizer.pretokenizer.SplitBehavior;
import dev.distil4j.tokenizer.pretokenizer.Whitespace;
import dev.distil4j.tokenizer.pretokenizer.WhitespaceSplit;
import dev.distil4j.tokenizer.processor.BertProcessing;
import dev.distil4j.tokenizer.processor.ByteLevelProcessing;
import dev.distil4j.tokenizer.processor.PostProcessor;
import dev.distil4j.tokenizer.processor.ProcessorSequence;
import dev.distil4j.tokenizer.processor.RobertaProcessing;
import dev.distil4j.tokenizer.processor.TemplateProcessing;
import dev.distil4j.tokenizer.text.UnicodeNormalization;
import dev.distil4j.tokenizer.text.UnicodeTables;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Reads and writes Hugging Face's {@code tokenizer.json} (format version 1.0). */
public final class TokenizerJson {
    private TokenizerJson() {}

    private static final UnicodeTables T = UnicodeTables.RUST;

    /**
     * Reads {@code file}; {@code config} is the merged tokenizer_config.json / special_tokens_map.json
     * (may be null). The result emulates the Rust library.
     */
    public static Tokenizer read(Path file, Map<String, Object> config) {
        JsonFile root = JsonFile.read(file);
        if (!root.node.isObject()) {
            throw root.error("expected a JSON object (a tokenizer.json), found " + root.kind());
        }
        List<AddedToken> added = new ArrayList<>();
        JsonFile at = root.get("added_tokens");
        if (!at.isNull()) {
            for (JsonFile t : at.array()) {
                try {
                    added.add(new AddedToken(t.require("content").string(), t.require("id").integer(),
                            t.bool("special", false), t.bool("single_word", false), t.bool("lstrip", false),
                            t.bool("rstrip", false), t.bool("normalized", true)));
                } catch (TokenizerException e) {
                    throw e.getMessage().startsWith(t.file.toString()) ? e : t.error(e.getMessage());
                }
            }
        }
        Normalizer normalizer = normalizer(root.get("normalizer"));
        PreTokenizer pre = preTokenizer(root.get("pre_tokenizer"));
        Model model = model(root.require("model"));
        PostProcessor post = postProcessor(root.get("post_processor"));
        Decoder decoder = decoder(root.get("decoder"));
        TokenizerConfig cfg = LegacyFiles.toConfig(config, model, post, UnicodeTables.Flavor.RUST);
        return new Tokenizer(normalizer, pre, model, post, decoder, added, cfg,
                asMap(root.get("truncation")), asMap(root.get("padding")));
    }

    /** A sequence's element: a null there is an error in the file, not a missing component. */
    private static <T> T element(JsonFile f, T component, String what) {
        if (component == null) {
            throw f.error("expected a " + what + ", found null");
        }
        return component;
    }

    private static Map<String, Object> asMap(JsonFile f) {
        if (f.isNull()) {
            return null;
        }
        if (!f.node.isObject()) {
            throw f.error("expected an object or null, found " + f.kind());
        }
        return JsonFile.MAPPER.convertValue(f.node, new TypeReference<LinkedHashMap<String, Object>>() {});
    }

    private static String type(JsonFile f) {
        return f.require("type").string();
    }

    static TokenizerException unknown(JsonFile f, String what, String type) {
        return new TokenizerException(f.file + ": " + f.path + ".type: unsupported " + what + " type '" + type + "'");
    }

    static Normalizer normalizer(JsonFile f) {
        if (f.isNull()) {
            return null;
        }
        String type = type(f);
        return switch (type) {
            case "BertNormalizer" -> new BertNormalizer(f.bool("clean_text", true), f.bool("handle_chinese_chars", true),
                    f.optBool("strip_accents"), f.bool("lowercase", true), T);
            case "Lowercase" -> new Lowercase(T);
            case "NFC" -> new UnicodeNormalizer(UnicodeNormalization.Form.NFC);
            case "NFD" -> new UnicodeNormalizer(UnicodeNormalization.Form.NFD);
            case "NFKC" -> new UnicodeNormalizer(UnicodeNormalization.Form.NFKC);
            case "NFKD" -> new UnicodeNormalizer(UnicodeNormalization.Form.NFKD);
            case "StripAccents" -> new StripAccents(T);
            case "Replace" -> {
                JsonFile p = f.require("pattern");
                String content = f.require("content").string();
                String[] lr = pattern(p);
                try {
                    yield new Replace(lr[0], lr[1], content);
                } catch (TokenizerException e) {
                    throw p.error(e.getMessage());
                }
            }
            case "Sequence" -> {
                List<Normalizer> list = new ArrayList<>();
                for (JsonFile n : f.require("normalizers").array()) {
                    list.add(element(n, normalizer(n), "normalizer"));
                }
                yield new NormalizerSequence(list);
            }
            default -> throw unknown(f, "normalizer", type);
        };
    }

    static PreTokenizer preTokenizer(JsonFile f) {
        if (f.isNull()) {
            return null;
        }
        String type = type(f);
        return switch (type) {
            case "BertPreTokenizer" -> new BertPreTokenizer(T);
            case "ByteLevel" -> new ByteLevel(f.bool("add_prefix_space", true), f.bool("trim_offsets", true),
                    f.bool("use_regex", true), T);
            case "Whitespace" -> new Whitespace();
            case "WhitespaceSplit" -> new WhitespaceSplit();
            case "Punctuation" -> new Punctuation(behavior(f), T);
            case "Split" -> {
                JsonFile p = f.require("pattern");
                boolean invert = f.bool("invert", false);
                String[] lr = pattern(p);
                SplitBehavior behavior = behavior(f);
                try {
                    yield new Split(lr[0], lr[1], behavior, invert);
                } catch (TokenizerException e) {
                    throw p.error(e.getMessage());
                }
            }
            case "Sequence" -> {
                List<PreTokenizer> list = new ArrayList<>();
                for (JsonFile n : f.require("pretokenizers").array()) {
                    list.add(element(n, preTokenizer(n), "pre-tokenizer"));
                }
                yield new PreTokenizerSequence(list);
            }
            default -> throw unknown(f, "pre-tokenizer", type);
        };
    }

    /** {@code {"String": s}} or {@code {"Regex": r}} as {literal, regex}, one of them null. */
    private static String[] pattern(JsonFile p) {
        if (p.has("String")) {
            return new String[] {p.get("String").string(), null};
        } else if (p.has("Regex")) {
            return new String[] {null, p.get("Regex").string()};
        }
        throw p.error("expected {\"String\": ...} or {\"Regex\": ...}");
    }

    private static SplitBehavior behavior(JsonFile f) {
        String b = f.string("behavior", "Isolated");
        SplitBehavior r = SplitBehavior.fromJson(b);
        if (r == null) {
            throw f.get("behavior").error("unknown split behavior '" + b + "'");
        }
        return r;
    }

    static Model model(JsonFile f) {
        String type = f.has("type") ? f.get("type").string() : null;
        if (type == null) {
            // Older files leave the type out; Hugging Face then tells the models apart by their fields.
            if (f.has("merges")) {
                type = "BPE";
            } else if (f.has("max_input_chars_per_word") || f.has("continuing_subword_prefix")) {
                type = "WordPiece";
            } else {
                throw f.error("model without \"type\" that is neither WordPiece nor BPE");
            }
        }
        switch (type) {
            case "WordPiece": {
                Vocab vocab = vocab(f.require("vocab"));
                return new WordPiece(vocab, f.string("unk_token", "[UNK]"), f.string("continuing_subword_prefix", "##"),
                        f.integer("max_input_chars_per_word", 100));
            }
            case "BPE": {
                if (f.bool("byte_fallback", false)) {
                    throw f.get("byte_fallback").error("BPE byte_fallback is not supported");
                }
                JsonFile dropout = f.get("dropout");
                if (!dropout.isNull() && dropout.node.asDouble() != 0.0) {
                    throw dropout.error("BPE dropout is not supported (it makes encoding random)");
                }
                Vocab vocab = vocab(f.require("vocab"));
                List<String[]> merges = new ArrayList<>();
                for (JsonFile m : f.require("merges").array()) {
                    if (m.node.isTextual()) {
                        String s = m.string();
                        int sp = s.indexOf(' ');
                        if (sp <= 0 || sp == s.length() - 1 || s.indexOf(' ', sp + 1) >= 0) {
                            throw m.error("merge must be two tokens separated by one space, found '" + s + "'");
                        }
                        merges.add(new String[] {s.substring(0, sp), s.substring(sp + 1)});
                    } else {
                        List<JsonFile> pair = m.array();
                        if (pair.size() != 2) {
                            throw m.error("merge must be a pair of tokens");
                        }
                        merges.add(new String[] {pair.get(0).string(), pair.get(1).string()});
                    }
                }
                try {
                    return new Bpe(vocab, merges, f.string("unk_token", null), f.string("continuing_subword_prefix", null),
                            f.string("end_of_word_suffix", null), f.bool("fuse_unk", false), f.bool("ignore_merges", false),
                            10_000);
                } catch (TokenizerException e) {
                    throw f.get("merges").error(e.getMessage());
                }
            }
            default:
                throw unknown(f, "model", type);
        }
    }

    /** A {@code {"token": id}} object (tokenizer.json's model.vocab, vocab.json). */
    static Vocab vocab(JsonFile f) {
        Map<String, Integer> m = new LinkedHashMap<>();
        Iterator<Map.Entry<String, JsonNode>> it = f.fields();
        while (it.hasNext()) {
            Map.Entry<String, JsonNode> e = it.next();
            // canConvertToInt: 2^32 would otherwise be read as its low 32 bits, 0
            if (!e.getValue().isIntegralNumber() || !e.getValue().canConvertToInt() || e.getValue().asInt() < 0) {
                throw f.get(e.getKey()).error("vocabulary id must be an integer in 0.." + Integer.MAX_VALUE);
            }
            m.put(e.getKey(), e.getValue().asInt());
        }
        return new Vocab(m);
    }

    static PostProcessor postProcessor(JsonFile f) {
        if (f.isNull()) {
            return null;
        }
        String type = type(f);
        return switch (type) {
            case "TemplateProcessing" -> {
                Map<String, TemplateProcessing.SpecialToken> sp = new LinkedHashMap<>();
                JsonFile st = f.get("special_tokens");
                if (!st.isNull()) {
                    Iterator<Map.Entry<String, JsonNode>> it = st.fields();
                    while (it.hasNext()) {
                        String k = it.next().getKey();
                        JsonFile t = st.get(k);
                        List<JsonFile> ids = t.require("ids").array();
                        List<JsonFile> toks = t.require("tokens").array();
                        if (ids.size() != toks.size()) {
                            throw t.error("ids and tokens differ in length");
                        }
                        int[] idArr = new int[ids.size()];
                        String[] tokArr = new String[toks.size()];
                        for (int i = 0; i < idArr.length; i++) {
                            idArr[i] = ids.get(i).integer();
                            tokArr[i] = toks.get(i).string();
                        }
                        sp.put(k, new TemplateProcessing.SpecialToken(t.string("id", k), idArr, tokArr));
                    }
                }
                List<TemplateProcessing.Piece> single = template(f.require("single"), sp);
                List<TemplateProcessing.Piece> pair = template(f.require("pair"), sp);
                yield new TemplateProcessing(single, pair, sp);
            }
            case "BertProcessing" -> {
                TokenId sep = TokenId.of(f.require("sep"));
                TokenId cls = TokenId.of(f.require("cls"));
                yield new BertProcessing(sep.token(), sep.id(), cls.token(), cls.id());
            }
            case "RobertaProcessing" -> {
                TokenId sep = TokenId.of(f.require("sep"));
                TokenId cls = TokenId.of(f.require("cls"));
                yield new RobertaProcessing(sep.token(), sep.id(), cls.token(), cls.id(), f.bool("trim_offsets", true),
                        f.bool("add_prefix_space", true));
            }
            case "ByteLevel" -> new ByteLevelProcessing(f.bool("add_prefix_space", true), f.bool("trim_offsets", true),
                    f.bool("use_regex", true));
            case "Sequence" -> {
                List<PostProcessor> list = new ArrayList<>();
                for (JsonFile p : f.require("processors").array()) {
                    list.add(element(p, postProcessor(p), "post-processor"));
                }
                yield new ProcessorSequence(list);
            }
            default -> throw unknown(f, "post-processor", type);
        };
    }

    /** A {@code ["[SEP]", 102]} pair, as BertProcessing and RobertaProcessing give sep and cls. */
    private record TokenId(String token, int id) {
        static TokenId of(JsonFile f) {
            List<JsonFile> pair = f.array();
            if (pair.size() != 2) {
                throw f.error("expected [token, id], found an array of " + pair.size());
            }
            return new TokenId(pair.get(0).string(), pair.get(1).integer());
        }
    }

    private static List<TemplateProcessing.Piece> template(JsonFile f, Map<String, TemplateProcessing.SpecialToken> sp) {
        List<TemplateProcessing.Piece> out = new ArrayList<>();
        for (JsonFile p : f.array()) {
            if (p.has("Sequence")) {
                JsonFile s = p.get("Sequence");
                String id = s.require("id").string();
                if (!id.equals("A") && !id.equals("B")) {
                    throw s.get("id").error("sequence id must be \"A\" or \"B\"");
                }
                out.add(TemplateProcessing.Piece.sequence(id, s.integer("type_id", 0)));
            } else if (p.has("SpecialToken")) {
                JsonFile s = p.get("SpecialToken");
                String id = s.require("id").string();
                if (!sp.containsKey(id)) {
                    throw s.get("id").error("special token '" + id + "' is not in special_tokens");
                }
                out.add(TemplateProcessing.Piece.special(id, s.integer("type_id", 0)));
            } else {
                throw p.error("expected {\"Sequence\": ...} or {\"SpecialToken\": ...}");
            }
        }
        return out;
    }

    static Decoder decoder(JsonFile f) {
        if (f.isNull()) {
            return null;
        }
        String type = type(f);
        return switch (type) {
            case "WordPiece" -> new WordPieceDecoder(f.string("prefix", "##"), f.bool("cleanup", true));
            case "ByteLevel" -> new ByteLevelDecoder();
            default -> throw unknown(f, "decoder", type);
        };
    }

    // ------------------------------------------------------------------ writing

    private static final JsonNodeFactory F = JsonNodeFactory.instance;

    /** Writes {@code tok} as tokenizer.json (pretty-printed, UTF-8). */
    public static void write(Tokenizer tok, Path file) {
        ObjectNode root = F.objectNode();
        root.put("version", "1.0");
        root.set("truncation", tok.jsonTruncation() == null ? F.nullNode() : JsonFile.MAPPER.valueToTree(tok.jsonTruncation()));
        root.set("padding", tok.jsonPadding() == null ? F.nullNode() : JsonFile.MAPPER.valueToTree(tok.jsonPadding()));
        ArrayNode added = root.putArray("added_tokens");
        for (AddedToken t : tok.addedTokens()) {
            ObjectNode o = added.addObject();
            o.put("id", t.id());
            o.put("content", t.content());
            o.put("single_word", t.singleWord());
            o.put("lstrip", t.lstrip());
            o.put("rstrip", t.rstrip());
            o.put("normalized", t.normalized());
            o.put("special", t.special());
        }
        root.set("normalizer", tok.normalizer() == null ? F.nullNode() : normalizer(tok.normalizer()));
        root.set("pre_tokenizer", tok.preTokenizer() == null ? F.nullNode() : preTokenizer(tok.preTokenizer()));
        root.set("post_processor", tok.postProcessor() == null ? F.nullNode() : postProcessor(tok.postProcessor()));
        root.set("decoder", tok.decoder() == null ? F.nullNode() : decoder(tok.decoder()));
        root.set("model", model(tok.model()));
        try {
            Files.writeString(file, JsonFile.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(root));
        } catch (JsonProcessingException e) {
            throw new TokenizerException("cannot serialize tokenizer: " + e.getMessage(), e);
        } catch (IOException e) {
            throw new TokenizerException(file + ": cannot write: " + e.getMessage(), e);
        }
    }

    private static ObjectNode typed(String type) {
        ObjectNode o = F.objectNode();
        o.put("type", type);
        return o;
    }

    private static ObjectNode pattern(String literal, String regex) {
        ObjectNode p = F.objectNode();
        if (literal != null) {
            p.put("String", literal);
        } else {
            p.put("Regex", regex);
        }
        return p;
    }

    static JsonNode normalizer(Normalizer n) {
        ObjectNode o = typed(n.type());
        switch (n) {
            case BertNormalizer b -> {
                o.put("clean_text", b.cleanText());
                o.put("handle_chinese_chars", b.handleChineseChars());
                if (b.stripAccents() == null) {
                    o.putNull("strip_accents");
                } else {
                    o.put("strip_accents", b.stripAccents());
                }
                o.put("lowercase", b.lowercase());
            }
            case Replace r -> {
                o.set("pattern", pattern(r.literal(), r.regex()));
                o.put("content", r.content());
            }
            case NormalizerSequence s -> {
                ArrayNode a = o.putArray("normalizers");
                for (Normalizer x : s.normalizers()) {
                    a.add(normalizer(x));
                }
            }
            case Lowercase l -> { }
            case StripAccents s -> { }
            case UnicodeNormalizer u -> { }
        }
        return o;
    }

    static JsonNode preTokenizer(PreTokenizer p) {
        ObjectNode o = typed(p.type());
        switch (p) {
            case ByteLevel b -> {
                o.put("add_prefix_space", b.addPrefixSpace());
                o.put("trim_offsets", b.trimOffsets());
                o.put("use_regex", b.useRegex());
            }
            case Punctuation x -> o.put("behavior", x.behavior().json());
            case Split s -> {
                o.set("pattern", pattern(s.literal(), s.regex()));
                o.put("behavior", s.behavior().json());
                o.put("invert", s.invert());
            }
            case PreTokenizerSequence s -> {
                ArrayNode a = o.putArray("pretokenizers");
                for (PreTokenizer x : s.preTokenizers()) {
                    a.add(preTokenizer(x));
                }
            }
            case BertPreTokenizer b -> { }
            case Whitespace w -> { }
            case WhitespaceSplit w -> { }
        }
        return o;
    }

    static JsonNode postProcessor(PostProcessor p) {
        ObjectNode o = typed(p.type());
        switch (p) {
            case TemplateProcessing t -> {
                o.set("single", template(t.single()));
                o.set("pair", template(t.pair()));
                ObjectNode sp = o.putObject("special_tokens");
                for (Map.Entry<String, TemplateProcessing.SpecialToken> e : t.specialTokens().entrySet()) {
                    ObjectNode s = sp.putObject(e.getKey());
                    s.put("id", e.getValue().id());
                    ArrayNode ids = s.putArray("ids");
                    for (int id : e.getValue().ids()) {
                        ids.add(id);
                    }
                    ArrayNode toks = s.putArray("tokens");
                    for (String tk : e.getValue().tokens()) {
                        toks.add(tk);
                    }
                }
            }
            case BertProcessing b -> {
                o.set("sep", F.arrayNode().add(b.sepToken()).add(b.sepId()));
                o.set("cls", F.arrayNode().add(b.clsToken()).add(b.clsId()));
            }
            case RobertaProcessing r -> {
                o.set("sep", F.arrayNode().add(r.sepToken()).add(r.sepId()));
                o.set("cls", F.arrayNode().add(r.clsToken()).add(r.clsId()));
                o.put("trim_offsets", r.trimOffsets());
                o.put("add_prefix_space", r.addPrefixSpace());
            }
            case ByteLevelProcessing b -> {
                o.put("add_prefix_space", b.addPrefixSpace());
                o.put("trim_offsets", b.trimOffsets());
                o.put("use_regex", b.useRegex());
            }
            case ProcessorSequence s -> {
                ArrayNode a = o.putArray("processors");
                for (PostProcessor x : s.processors()) {
                    a.add(postProcessor(x));
                }
            }
        }
        return o;
    }

    private static ArrayNode template(List<TemplateProcessing.Piece> pieces) {
        ArrayNode a = F.arrayNode();
        for (TemplateProcessing.Piece p : pieces) {
            ObjectNode o = a.addObject();
            ObjectNode inner = o.putObject(p.isSequence() ? "Sequence" : "SpecialToken");
            inner.put("id", p.isSequence() ? p.sequence() : p.specialTokenId());
            inner.put("type_id", p.typeId());
        }
        return a;
    }

    static JsonNode decoder(Decoder d) {
        ObjectNode o = typed(d.type());
        switch (d) {
            case WordPieceDecoder w -> {
                o.put("prefix", w.prefix());
                o.put("cleanup", w.cleanup());
            }
            case SlowWordPieceDecoder w -> {
                // what transformers' BertConverter writes for the same tokenizer
                o.put("prefix", w.prefix());
                o.put("cleanup", true);
            }
            case ByteLevelDecoder b -> {
                o.put("add_prefix_space", true);
                o.put("trim_offsets", true);
                o.put("use_regex", true);
            }
        }
        return o;
    }

    static JsonNode model(Model m) {
        ObjectNode o = typed(m.type());
        switch (m) {
            case WordPiece w -> {
                o.put("unk_token", w.unkToken());
                o.put("continuing_subword_prefix", w.continuingSubwordPrefix());
                o.put("max_input_chars_per_word", w.maxInputCharsPerWord());
                o.set("vocab", vocabJson(w.vocab()));
            }
            case Bpe b -> {
                o.putNull("dropout");
                if (b.unkToken() == null) {
                    o.putNull("unk_token");
                } else {
                    o.put("unk_token", b.unkToken());
                }
                putNullable(o, "continuing_subword_prefix", b.continuingSubwordPrefix());
                putNullable(o, "end_of_word_suffix", b.endOfWordSuffix());
                o.put("fuse_unk", b.fuseUnk());
                o.put("byte_fallback", false);
                o.put("ignore_merges", b.ignoreMerges());
                o.set("vocab", vocabJson(b.vocab()));
                ArrayNode merges = o.putArray("merges");
                for (String[] mg : b.merges()) {
                    merges.add(mg[0] + " " + mg[1]);
                }
            }
        }
        return o;
    }

    private static void putNullable(ObjectNode o, String k, String v) {
        if (v == null) {
            o.putNull(k);
        } else {
            o.put(k, v);
        }
    }

    private static ObjectNode vocabJson(Vocab v) {
        ObjectNode o = F.objectNode();
        for (Map.Entry<String, Integer> e : v.asMap().entrySet()) {
            o.put(e.getKey(), e.getValue());
        }
        return o;
    }
}
