package dev.distil4j.tokenizer;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The pipeline parts that the hub's BERT and RoBERTa files do not use (NFC/NFKC/NFKD, StripAccents,
 * Replace, Whitespace, WhitespaceSplit, Punctuation, Split with every behaviour, sequences, the
 * byte-level post-processor, add_prefix_space), each combined into a tokenizer.json and compared with
 * the Rust library on generated strings, single and pair, decoding included.
 */
class ComponentDifferentialTest {
    static final int N = Integer.getInteger("distil4j.diff.components", 1500);

    static Stream<Arguments> variants() {
        String wp = "fixtures/vocab/distilbert-base-uncased/tokenizer.json";
        return Stream.of(
                Arguments.of("NFKC + Replace + Lowercase, WhitespaceSplit + Punctuation", wp, """
                        {"normalizer": {"type": "Sequence", "normalizers": [{"type": "NFKC"},
                           {"type": "Replace", "pattern": {"String": "''"}, "content": "\\""}, {"type": "Lowercase"}]},
                         "pre_tokenizer": {"type": "Sequence", "pretokenizers": [{"type": "WhitespaceSplit"},
                           {"type": "Punctuation", "behavior": "Isolated"}]}}"""),
                Arguments.of("NFKD + StripAccents + NFC + Replace regex, Whitespace + Split merged", wp, """
                        {"normalizer": {"type": "Sequence", "normalizers": [{"type": "NFKD"}, {"type": "StripAccents"},
                           {"type": "NFC"}, {"type": "Replace", "pattern": {"Regex": " {2,}"}, "content": " "}]},
                         "pre_tokenizer": {"type": "Sequence", "pretokenizers": [{"type": "Whitespace"},
                           {"type": "Split", "pattern": {"String": "-"}, "behavior": "MergedWithPrevious", "invert": false}]}}"""),
                Arguments.of("NFD + Lowercase, regex Split + contiguous Punctuation + merged-with-next, BertProcessing", wp, """
                        {"normalizer": {"type": "Sequence", "normalizers": [{"type": "NFD"}, {"type": "Lowercase"}]},
                         "pre_tokenizer": {"type": "Sequence", "pretokenizers": [
                           {"type": "Split", "pattern": {"Regex": "\\\\s+"}, "behavior": "Removed", "invert": false},
                           {"type": "Punctuation", "behavior": "Contiguous"},
                           {"type": "Split", "pattern": {"String": "."}, "behavior": "MergedWithNext", "invert": false}]},
                         "post_processor": {"type": "BertProcessing", "sep": ["[SEP]", 102], "cls": ["[CLS]", 101]},
                         "decoder": {"type": "WordPiece", "prefix": "##", "cleanup": false}}"""),
                Arguments.of("RoBERTa with add_prefix_space", "legacy:roberta-base", """
                        {"pre_tokenizer": {"type": "ByteLevel", "add_prefix_space": true, "trim_offsets": true, "use_regex": true},
                         "post_processor": {"type": "RobertaProcessing", "sep": ["</s>", 2], "cls": ["<s>", 0],
                           "trim_offsets": true, "add_prefix_space": true}}"""),
                Arguments.of("byte-level post-processor then a template, no regex split", "legacy:roberta-base", """
                        {"pre_tokenizer": {"type": "ByteLevel", "add_prefix_space": false, "trim_offsets": true, "use_regex": false},
                         "post_processor": {"type": "Sequence", "processors": [
                           {"type": "ByteLevel", "add_prefix_space": false, "trim_offsets": true, "use_regex": true},
                           {"type": "TemplateProcessing",
                            "single": [{"SpecialToken": {"id": "<s>", "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}},
                                       {"SpecialToken": {"id": "</s>", "type_id": 0}}],
                            "pair": [{"SpecialToken": {"id": "<s>", "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}},
                                     {"SpecialToken": {"id": "</s>", "type_id": 0}}, {"Sequence": {"id": "B", "type_id": 1}},
                                     {"SpecialToken": {"id": "</s>", "type_id": 1}}],
                            "special_tokens": {"<s>": {"id": "<s>", "ids": [0], "tokens": ["<s>"]},
                                               "</s>": {"id": "</s>", "ids": [2], "tokens": ["</s>"]}}}]}}"""));
    }

    @TempDir
    Path tmp;

    @ParameterizedTest(name = "{0}")
    @MethodSource("variants")
    void sameAsRust(String label, String base, String overrides) throws IOException {
        Path baseJson = tmp.resolve("base.json");
        if (base.startsWith("legacy:")) {
            Shared.legacy(base.substring(7)).save(baseJson);
        } else {
            Files.copy(Shared.path(base), baseJson);
        }
        ObjectNode root = (ObjectNode) Shared.JSON.readTree(baseJson.toFile());
        JsonNode o = Shared.JSON.readTree(overrides);
        o.fields().forEachRemaining(e -> root.set(e.getKey(), e.getValue()));
        Path json = tmp.resolve("tokenizer.json");
        Shared.JSON.writeValue(json.toFile(), root);

        Tokenizer mine = Tokenizer.fromTokenizerJson(json);
        List<String> failures = new ArrayList<>();
        try (HuggingFaceTokenizer rust = HuggingFaceTokenizer.newInstance(json,
                Map.of("addSpecialTokens", "true", "truncation", "false", "padding", "false"))) {
            for (int i = 0; i < N; i++) {
                long seed = 7_000_000L + i;
                String a = DifferentialTest.prefix(TextGenerator.generate(seed, List.of()), 300);
                String where = label + ", seed " + seed + " " + DifferentialTest.quote(a);
                Encoding m = mine.encode(a);
                ai.djl.huggingface.tokenizers.Encoding r = rust.encode(a);
                DifferentialTest.compare(where, m, r, failures);
                String d = rust.decode(r.getIds(), true);
                String md = mine.decode(m.ids(), true, false);
                if (!d.equals(md)) {
                    failures.add(where + " decode " + DifferentialTest.quote(md) + " != Rust " + DifferentialTest.quote(d));
                }
                if (i % 3 == 0) {
                    String b = DifferentialTest.prefix(TextGenerator.generate(seed + 1, List.of()), 120);
                    DifferentialTest.compare(where + " pair", mine.encodePair(a, b), rust.encode(a, b), failures);
                }
            }
        }
        failures.stream().limit(15).forEach(System.out::println);
        assertEquals(0, failures.size(), failures.size() + " mismatches for " + label);
    }
}
