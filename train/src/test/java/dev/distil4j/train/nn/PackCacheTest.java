package dev.distil4j.train.nn;

import dev.distil4j.kernels.Compute;
import dev.distil4j.kernels.Kernels;
import dev.distil4j.model.HeadType;
import dev.distil4j.model.ModelInput;
import dev.distil4j.train.TinyModels;
import dev.distil4j.train.optim.AdamW;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Packed weights kept between forwards (a frozen teacher, evaluation, accumulated micro-batches) give the
 * same numbers as packing every time, and are remade once the optimizer has changed the parameters.
 */
class PackCacheTest {
    @TempDir
    static Path tmp;

    @Test
    void keptPackingsEqualFreshOnesAndFollowTheOptimizer() throws Exception {
        Path dir = TinyModels.write(tmp.resolve("mlm"), new TinyModels.Shape("distilbert", 23, 12, 2, 7, 2, 10, "gelu", 2), 7);
        ModelInput in = new ModelInput(new int[][] {{2, 5, 7, 9, 3}, {2, 11, 4, 0, 0}}, new int[][] {{1, 1, 1, 1, 1}, {1, 1, 1, 0, 0}}, null);
        var options = TrainableModel.Options.defaults().withHead(HeadType.MASKED_LM);
        try (Compute compute = new Compute(Kernels.best(), 2);
             TrainableModel m = TrainableModel.load(dir, options.withCompute(compute));
             TrainableModel fresh = TrainableModel.load(dir, options.withCompute(compute))) {
            float[] first = m.forward(in, TrainableModel.Mode.eval()).logits();
            for (int i = 0; i < 3; i++) {
                assertThat(m.forward(in, TrainableModel.Mode.eval()).logits()).as("forward %d", i + 2).isEqualTo(first);
            }
            // an optimizer step with the packings kept: forward and backward twice (accumulation)
            m.zeroGrad();
            for (int i = 0; i < 2; i++) {
                float[] logits = m.forward(in, TrainableModel.Mode.train(5)).logits();
                float[] d = new float[logits.length];
                for (int j = 0; j < d.length; j++) d[j] = (j % 7 - 3) * 1e-2f;
                m.backward(d, null);
            }
            new AdamW(m.parameters(), AdamW.Config.defaults()).step(1e-2, compute);
            // the same values written into a model that never kept a packing
            List<Param> a = m.parameters(), b = fresh.parameters();
            for (int i = 0; i < a.size(); i++) {
                System.arraycopy(a.get(i).data(), 0, b.get(i).data(), 0, a.get(i).size());
                b.get(i).changed();
            }
            float[] expected = fresh.forward(in, TrainableModel.Mode.eval()).logits();
            assertThat(expected).isNotEqualTo(first);
            for (int i = 0; i < 3; i++) {
                assertThat(m.forward(in, TrainableModel.Mode.eval()).logits()).as("after the step, forward %d", i + 1).isEqualTo(expected);
            }
        }
    }
}
