package dev.distil4j.model;

import dev.distil4j.kernels.Compute;
import dev.distil4j.kernels.Kernels;
import dev.distil4j.testutil.Shared;
import org.junit.jupiter.api.Test;

import java.util.Arrays;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A sequence's outputs do not depend on what it is batched with: the same bits alone, right-padded beside a
 * longer sequence, or at another row of the batch. (Spark stages and the server batch rows as they come.)
 */
class BatchIndependenceTest {
    static final int[] SHORT = {2, 15, 27, 33, 9, 41, 3};

    @Test
    void theSameBitsAloneAndPaddedInABatch() {
        for (Kernels k : new Kernels[] {Kernels.best(), Kernels.scalar()}) {
            for (String dir : new String[] {"fixtures/models/distilbert-seqcls", "fixtures/training/models/bert-seqcls"}) {
                try (Compute c = new Compute(k, 2);
                     Model m = Model.load(Shared.path(dir), Model.Options.defaults().withCompute(c))) {
                    float[] alone = rows(m, new int[][] {SHORT}, 0);
                    for (int padded : new int[] {8, 17, 33, 60}) {
                        int[] longer = new int[padded];
                        for (int i = 0; i < padded; i++) longer[i] = 5 + i % 40;
                        float[] second = rows(m, new int[][] {longer, SHORT, longer, longer, longer, longer, longer}, 1);
                        assertThat(second).as("%s %s, beside %d tokens", k.name(), dir, padded).isEqualTo(alone);
                    }
                }
            }
        }
    }

    /** The last hidden state of the real tokens of row {@code row}. */
    private static float[] rows(Model m, int[][] seqs, int row) {
        int seq = Arrays.stream(seqs).mapToInt(s -> s.length).max().orElseThrow();
        int[][] ids = new int[seqs.length][seq], mask = new int[seqs.length][seq];
        for (int b = 0; b < seqs.length; b++) {
            System.arraycopy(seqs[b], 0, ids[b], 0, seqs[b].length);
            Arrays.fill(mask[b], 0, seqs[b].length, 1);
        }
        Tensor h = m.forward(new ModelInput(ids, mask, null)).lastHiddenState();
        int dim = h.dim(2);
        return Arrays.copyOfRange(h.data(), row * seq * dim, (row * seq + seqs[row].length) * dim);
    }
}
