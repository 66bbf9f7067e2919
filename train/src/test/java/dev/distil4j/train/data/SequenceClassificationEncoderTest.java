package dev.distil4j.train.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.distil4j.tokenizer.EncodeOptions;
import dev.distil4j.tokenizer.Tokenizer;
import dev.distil4j.train.Shared;
import java.util.Arrays;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class SequenceClassificationEncoderTest {
    private static final Tokenizer TOK = Tokenizer.fromDirectory(Shared.path("fixtures/models/distilbert-seqcls"));
    private static final Origin AT = new Origin("dev.tsv", 9);

    @Test
    void encodesASingleTextWithItsLabel() {
        var enc = SequenceClassificationEncoder.classification(TOK, 128, LabelSet.of("NEGATIVE", "POSITIVE"));
        SequenceFeature f = enc.encode(new TextExample("hello world", null, "POSITIVE", AT));
        // [CLS]=3 hello world [SEP]=4 in the tiny vocabulary
        assertThat(f.inputIds()).containsExactly(3, TOK.tokenToId("hello"), TOK.tokenToId("world"), 4);
        assertThat(f.attentionMask()).containsExactly(1, 1, 1, 1);
        assertThat(f.tokenTypeIds()).containsExactly(0, 0, 0, 0);
        assertThat(f.labelId()).isEqualTo(1);
        assertThat(f.target()).isNaN();
        // run_glue lowers max_seq_length to the model's maximum (64 for the tiny model)
        assertThat(enc.maxLength()).isEqualTo(64);
    }

    @Test
    void pairsAreTruncatedLongestFirst() {
        String a = "once upon a time there lived a small fox in the valley near the village and every morning he "
                + "watches the old clock";   // 23 words, one token each
        String b = "the cat sleeps here";     // 4 tokens
        assertThat(TOK.tokenize(a)).hasSize(23);
        var enc = SequenceClassificationEncoder.unlabelled(TOK, 16);
        SequenceFeature f = enc.encode(new TextExample(a, b, null, AT));
        // 16 = 3 special tokens + 13: the longer text loses 14 tokens down to 9, the pair keeps its 4
        int[] aIds = TOK.encode(a, EncodeOptions.DEFAULT.withAddSpecialTokens(false)).ids();
        int[] bIds = TOK.encode(b, EncodeOptions.DEFAULT.withAddSpecialTokens(false)).ids();
        int[] expected = IntStream.concat(IntStream.concat(IntStream.of(3), Arrays.stream(aIds, 0, 9)),
                IntStream.concat(IntStream.of(4), IntStream.concat(Arrays.stream(bIds), IntStream.of(4)))).toArray();
        assertThat(f.inputIds()).containsExactly(expected);
        assertThat(f.tokenTypeIds()).containsExactly(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1);
        assertThat(f.labelId()).isEqualTo(SequenceFeature.NO_LABEL);
    }

    @Test
    void encodesTheRealSst2DevSet() {
        List<TextExample> dev = TextDataReader.readTsv(Shared.path("data/glue/SST-2/dev.tsv"), ReadOptions.defaults())
                .examples();
        LabelSet labels = LabelSet.fromExamples(dev);
        List<SequenceFeature> fs = SequenceClassificationEncoder.classification(TOK, 128, labels).encodeAll(dev);
        assertThat(fs).hasSize(872);
        assertThat(fs.stream().filter(f -> f.labelId() == 0).count()).isEqualTo(428);
        assertThat(fs.stream().filter(f -> f.labelId() == 1).count()).isEqualTo(444);
        long tooLong = dev.stream().filter(e -> TOK.encode(e.text()).length() > 64).count();
        assertThat(tooLong).isPositive();
        assertThat(fs.stream().filter(f -> f.length() == 64).count()).isGreaterThanOrEqualTo(tooLong);
        assertThat(fs).allSatisfy(f -> {
            assertThat(f.length()).isLessThanOrEqualTo(64);
            int[] ids = f.inputIds();
            assertThat(ids[0]).isEqualTo(3);
            assertThat(ids[ids.length - 1]).isEqualTo(4);
        });
    }

    @Test
    void anUnknownOrMissingLabelNamesFileAndLine() {
        var enc = SequenceClassificationEncoder.classification(TOK, 64, LabelSet.of("0", "1"));
        assertThatThrownBy(() -> enc.encode(new TextExample("hello", null, "2", AT)))
                .isInstanceOf(DataFormatException.class)
                .hasMessageContaining("dev.tsv:9")
                .hasMessageContaining("unknown label '2'");
        assertThatThrownBy(() -> enc.encode(new TextExample("hello", null, null, AT)))
                .isInstanceOf(DataFormatException.class)
                .hasMessageContaining("dev.tsv:9")
                .hasMessageContaining("missing");
    }

    @Test
    void regressionTargetsAreFloats() {
        var enc = SequenceClassificationEncoder.regression(TOK, 64);
        SequenceFeature f = enc.encode(new TextExample("a cat", "the dog", "3.800", AT));
        assertThat(f.target()).isEqualTo(3.8f);
        assertThat(f.labelId()).isEqualTo(SequenceFeature.NO_LABEL);
        assertThatThrownBy(() -> enc.encode(new TextExample("a cat", "the dog", "n/a", new Origin("sts.tsv", 12))))
                .isInstanceOf(DataFormatException.class)
                .hasMessageContaining("sts.tsv:12")
                .hasMessageContaining("'n/a' is not a number");
        assertThatThrownBy(() -> enc.encode(new TextExample("a cat", null, "1e999", AT)))
                .hasMessageContaining("out of float range");
    }

    @Test
    void featuresAreImmutable() {
        var enc = SequenceClassificationEncoder.unlabelled(TOK, 64);
        SequenceFeature f = enc.encode(new TextExample("hello", null, null, AT));
        f.inputIds()[0] = 99;
        assertThat(f.inputIds()[0]).isEqualTo(3);
        assertThat(f).isEqualTo(enc.encode(new TextExample("hello", null, null, AT)));
    }
}
