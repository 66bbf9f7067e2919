package dev.distil4j.tokenizer;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every code point (surrogates aside), between two letters, through the BERT uncased pipeline
 * (clean-up, CJK, NFD + accent stripping, lowercase, punctuation, WordPiece) and the RoBERTa one
 * (GPT-2 pattern, byte-level BPE): ids and offsets must equal the Rust library's. This pins the Unicode
 * tables (rust-unicode.txt) against the library they were measured from.
 */
class AllCodePointsTest {
    @TempDir
    Path tmp;

    @Test
    void bertUncased() throws IOException {
        check(Shared.path("fixtures/vocab/distilbert-base-uncased/tokenizer.json"), "x", "y");
    }

    @Test
    void roberta() throws IOException {
        Path json = tmp.resolve("tokenizer.json");
        Shared.legacy("roberta-base").save(json);
        check(json, "a", "1");
    }

    private static void check(Path json, String before, String after) throws IOException {
        Tokenizer mine = Tokenizer.fromTokenizerJson(json);
        EncodeOptions plain = EncodeOptions.DEFAULT.withAddSpecialTokens(false);
        List<String> failures = new ArrayList<>();
        int checked = 0;
        try (HuggingFaceTokenizer rust = HuggingFaceTokenizer.newInstance(json,
                Map.of("addSpecialTokens", "false", "truncation", "false", "padding", "false"))) {
            List<String> batch = new ArrayList<>();
            for (int cp = 0; cp <= 0x110000; cp++) {
                if (cp < 0x110000 && (cp < 0xD800 || cp > 0xDFFF)) {
                    batch.add(before + Character.toString(cp) + after);
                }
                if (batch.size() == 8192 || cp == 0x110000 && !batch.isEmpty()) {
                    ai.djl.huggingface.tokenizers.Encoding[] rs = rust.batchEncode(batch);
                    for (int i = 0; i < rs.length; i++) {
                        DifferentialTest.compare(DifferentialTest.quote(batch.get(i)), mine.encode(batch.get(i), plain), rs[i],
                                failures);
                        checked++;
                    }
                    batch.clear();
                }
            }
        }
        failures.stream().limit(20).forEach(System.out::println);
        assertEquals(0x110000 - 0x800, checked);
        assertEquals(0, failures.size(), failures.size() + " code points differ from Rust in " + json.getFileName());
    }
}
