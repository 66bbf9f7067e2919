package dev.distil4j.train.distill;

import dev.distil4j.kernels.Compute;
import dev.distil4j.kernels.Kernels;
import dev.distil4j.model.HeadType;
import dev.distil4j.model.Model;
import dev.distil4j.model.ModelInput;
import dev.distil4j.tokenizer.Tokenizer;
import dev.distil4j.train.Shared;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class MlmEvaluatorTest {
    static final Path STUDENT = Shared.path("fixtures/models/distilbert-mlm");
    static final Path TEACHER = Shared.path("fixtures/training/models/bert-mlm-teacher");

    /** The score recounted with the inference engine on masks drawn again, line by line as the evaluator batches. */
    @Test
    void scoresTheMaskedPositionsAsTheInferenceEngineDoes(@TempDir Path tmp) throws IOException {
        Path corpus = Sst2.corpusFile(tmp, 21);
        Files.writeString(corpus, "\n", java.nio.file.StandardOpenOption.APPEND); // an empty line is left out
        int batch = 4, maxLength = 12;
        long seed = 3;
        MlmEvaluator.Result r;
        try (Compute c = new Compute(Kernels.scalar(), 2)) {
            r = MlmEvaluator.evaluate(STUDENT, List.of(corpus), maxLength, batch, seed, c);
        }
        assertThat(r.sequences()).isEqualTo(21);

        Tokenizer tok = Tokenizer.fromDirectory(STUDENT);
        SpecialTokenIds specials = SpecialTokenIds.of(tok);
        CorpusBinarizer bin = new CorpusBinarizer(tok);
        List<int[]> lines = new ArrayList<>();
        for (String s : Sst2.sentences(21)) {
            int[] ids = bin.encodeLine(s);
            if (ids.length > maxLength) {
                int sep = ids[ids.length - 1];
                ids = Arrays.copyOf(ids, maxLength);
                ids[maxLength - 1] = sep;
            }
            lines.add(ids);
        }
        TokenSequences data = TokenSequences.of(lines);
        long masked = 0, correct = 0, expectedMasked = 0;
        double loss = 0;
        try (Model m = Model.load(STUDENT, Model.Options.defaults().withHead(HeadType.MASKED_LM))) {
            int vocab = m.config().vocabSize();
            double[] w = new double[vocab];
            Arrays.fill(w, 1);
            for (int id : specials.all()) if (id >= 0) w[id] = 0;
            TokenMasker masker = new TokenMasker(w, specials, MlmEvaluator.MASKING);
            for (int from = 0, b = 0; from < data.size(); from += batch, b++) {
                int[] idx = new int[Math.min(batch, data.size() - from)];
                long real = 0;
                for (int i = 0; i < idx.length; i++) {
                    idx[i] = from + i;
                    real += data.length(from + i);
                }
                expectedMasked += (long) Math.ceil(0.15 * real);
                MlmBatch mb = masker.mask(PaddedBatch.collate(data, idx, specials.pad()), seed, b);
                for (int i = 0; i < idx.length; i++) {
                    int len = data.length(from + i), t = mb.seqLen();
                    int[] ids = Arrays.copyOfRange(mb.inputIds(), i * t, i * t + len);
                    float[] logits = m.forward(new ModelInput(new int[][] {ids}, new int[][] {ones(len)}, null)).logits().data();
                    for (int p = 0; p < len; p++) {
                        int label = mb.labelAt(i, p);
                        if (label == MlmBatch.IGNORE) continue;
                        assertThat(specials.isSpecial(label)).isFalse();
                        assertThat(ids[p]).isEqualTo(specials.mask());
                        int best = 0;
                        double lse = 0, max = Double.NEGATIVE_INFINITY;
                        for (int v = 0; v < vocab; v++) if (logits[p * vocab + v] > max) { max = logits[p * vocab + v]; best = v; }
                        for (int v = 0; v < vocab; v++) lse += Math.exp(logits[p * vocab + v] - max);
                        loss += Math.log(lse) + max - logits[p * vocab + label];
                        masked++;
                        if (best == label) correct++;
                    }
                }
            }
        }
        assertThat(r.masked()).isEqualTo(masked).isEqualTo(expectedMasked);
        assertThat(r.correct()).isEqualTo(correct);
        assertThat(r.loss()).isCloseTo(loss / masked, within(1e-4));
        assertThat(r.accuracy()).isEqualTo((double) correct / masked);
        assertThat(r.toMap()).containsKeys("mlm_accuracy", "mlm_loss", "masked_total", "examples");
    }

    @Test
    void twoModelsAreScoredOnTheSamePositions(@TempDir Path tmp) throws IOException {
        Path corpus = Sst2.corpusFile(tmp, 40);
        try (Compute c = new Compute(Kernels.scalar(), 2)) { // scalar: the same bits on every call
            MlmEvaluator.Result student = MlmEvaluator.evaluate(STUDENT, List.of(corpus), 64, 8, 11, c);
            MlmEvaluator.Result teacher = MlmEvaluator.evaluate(TEACHER, List.of(corpus), 64, 8, 11, c);
            MlmEvaluator.Result again = MlmEvaluator.evaluate(STUDENT, List.of(corpus), 64, 8, 11, c);
            MlmEvaluator.Result otherSeed = MlmEvaluator.evaluate(STUDENT, List.of(corpus), 64, 8, 12, c);
            assertThat(teacher.masked()).isEqualTo(student.masked());
            assertThat(again).isEqualTo(student);
            assertThat(otherSeed.masked()).isEqualTo(student.masked()); // same counts, other positions
            assertThat(otherSeed.loss()).isNotEqualTo(student.loss());
        }
    }

    @Test
    void refusesNothingToScore(@TempDir Path tmp) throws IOException {
        Path empty = Files.writeString(tmp.resolve("empty.txt"), "\n\n");
        assertThatThrownBy(() -> MlmEvaluator.evaluate(STUDENT, List.of(empty), 64, 8, 1, null))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no non-empty lines");
    }

    private static int[] ones(int n) {
        int[] a = new int[n];
        Arrays.fill(a, 1);
        return a;
    }
}
