package dev.distil4j.train.distill;

import dev.distil4j.train.loss.Loss;
import dev.distil4j.train.loss.Losses;

/**
 * DistilBERT's training objective (distiller.py of Hugging Face's research project):
 * <pre>
 *   loss = alpha_ce  * KL(softmax(t / T) || softmax(s / T)) * T^2    (batchmean over the selected positions)
 *        + alpha_mlm * CE(s, mlm labels)                             (labels != -100)
 *        + alpha_mse * sum (s - t)^2 / selected positions
 *        + alpha_cos * (1 - cos(h_s, h_t))                           (last hidden states, attended positions)
 * </pre>
 * The KL and MSE terms run over the attended positions, or only the masked ones with
 * {@code restrictCeToMask}. Gives each term and the gradients for the student's logits and last
 * hidden state, ready for {@code TrainableModel.backward(dLogits, dHidden)}.
 */
public record TripleLoss(double temperature, double alphaCe, double alphaMlm, double alphaMse, double alphaCos,
                         boolean restrictCeToMask) {

    /** distiller.py's defaults: T 2, alpha_ce 5, alpha_mlm 2, alpha_mse 0, alpha_cos 1, KL over attended positions. */
    public static TripleLoss defaults() {
        return new TripleLoss(2.0, 5.0, 2.0, 0.0, 1.0, false);
    }

    public TripleLoss {
        if (!(temperature > 0)) throw new IllegalArgumentException("temperature must be > 0, not " + temperature);
        if (alphaCe < 0 || alphaMlm < 0 || alphaMse < 0 || alphaCos < 0) throw new IllegalArgumentException("loss weights must be >= 0");
        if (alphaCe + alphaMlm + alphaMse + alphaCos <= 0) throw new IllegalArgumentException("at least one loss weight must be > 0");
    }

    /** The terms (unweighted, as distiller.py logs them), the weighted total and its gradients. */
    public record Result(float loss, float lossCe, float lossMlm, float lossMse, float lossCos, float[] dLogits, float[] dHidden) {}

    /**
     * @param studentLogits, teacherLogits [rows, vocab] with rows = batch * seq
     * @param studentHidden, teacherHidden [rows, dim]
     * @param attention     [batch][seq], 1 for real tokens
     * @param mlmLabels     [rows]: the original id where the token was selected for prediction, else -100
     */
    public Result compute(float[] studentLogits, float[] teacherLogits, float[] studentHidden, float[] teacherHidden,
                          int[][] attention, int[] mlmLabels, int vocab, int dim) {
        int batch = attention.length, seq = attention[0].length, rows = batch * seq;
        boolean[] attended = new boolean[rows], selected = new boolean[rows];
        for (int b = 0; b < batch; b++) {
            for (int i = 0; i < seq; i++) {
                int r = b * seq + i;
                attended[r] = attention[b][i] != 0;
                selected[r] = restrictCeToMask ? mlmLabels[r] != Losses.IGNORE_INDEX : attended[r];
            }
        }
        float[] dLogits = new float[rows * vocab];
        double total = 0;
        float ce = 0, mlm = 0, mse = 0, cos = 0;
        if (alphaCe > 0) {
            Loss l = Losses.klDivergence(studentLogits, teacherLogits, rows, vocab, selected, temperature);
            ce = l.value();
            total += alphaCe * ce;
            axpy((float) alphaCe, l.grad(), dLogits);
        }
        if (alphaMlm > 0) {
            Loss l = Losses.crossEntropy(studentLogits, rows, vocab, mlmLabels, Losses.IGNORE_INDEX);
            mlm = l.value();
            total += alphaMlm * mlm;
            axpy((float) alphaMlm, l.grad(), dLogits);
        }
        if (alphaMse > 0) {
            int n = 0;
            for (boolean s : selected) if (s) n++;
            double sum = 0;
            for (int r = 0; r < rows; r++) {
                if (!selected[r]) continue;
                for (int c = 0; c < vocab; c++) {
                    double d = (double) studentLogits[r * vocab + c] - teacherLogits[r * vocab + c];
                    sum += d * d;
                    dLogits[r * vocab + c] += (float) (alphaMse * 2 * d / Math.max(1, n));
                }
            }
            mse = (float) (sum / Math.max(1, n));
            total += alphaMse * mse;
        }
        float[] dHidden = null;
        if (alphaCos > 0) {
            Loss l = Losses.cosineEmbedding(studentHidden, teacherHidden, rows, dim, attended);
            cos = l.value();
            total += alphaCos * cos;
            dHidden = l.grad();
            for (int i = 0; i < dHidden.length; i++) dHidden[i] *= (float) alphaCos;
        }
        return new Result((float) total, ce, mlm, mse, cos, dLogits, dHidden);
    }

    private static void axpy(float a, float[] x, float[] y) {
        for (int i = 0; i < x.length; i++) y[i] += a * x[i];
    }
}
