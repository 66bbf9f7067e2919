package dev.distil4j.train.distill;

import dev.distil4j.kernels.Compute;
import dev.distil4j.train.loss.Loss;
import dev.distil4j.train.loss.Losses;

import java.util.Arrays;

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
 *
 * <p>The three logit terms are the formulas of {@link Losses#klDivergence}, {@link Losses#crossEntropy}
 * and MSE, fused into one pass per row: the logits are [batch x seq, vocab] (62 M values at 16 x 128),
 * so each row's exponentials are computed once and shared by the KL value and its gradient, the
 * gradient is written once, and rows run in parallel. Sums stay in double, per row, added in row order
 * (the result does not depend on the number of threads).
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

    /** {@link #compute(float[], float[], float[], float[], int[][], int[], int, int, int, Compute, float[])} on this thread, no accumulation. */
    public Result compute(float[] studentLogits, float[] teacherLogits, float[] studentHidden, float[] teacherHidden,
                          int[][] attention, int[] mlmLabels, int vocab, int dim) {
        return compute(studentLogits, teacherLogits, studentHidden, teacherHidden, attention, mlmLabels, vocab, dim, 1, null, null);
    }

    /**
     * @param studentLogits, teacherLogits [rows, vocab] with rows = batch * seq
     * @param studentHidden, teacherHidden [rows, dim]
     * @param attention     [batch][seq], 1 for real tokens
     * @param mlmLabels     [rows]: the original id where the token was selected for prediction, else -100
     * @param accumulation  the gradients are divided by it (distiller.py divides the loss by
     *                      gradient_accumulation_steps before the backward); the terms are not
     * @param compute       threads for the rows, or null for this thread
     * @param reuse         an array for the logits' gradient, used when it has the right length (every value is
     *                      written): a step of the same shape as the last one then allocates no new 4 x rows x vocab
     *                      bytes; or null
     */
    public Result compute(float[] studentLogits, float[] teacherLogits, float[] studentHidden, float[] teacherHidden,
                          int[][] attention, int[] mlmLabels, int vocab, int dim, int accumulation, Compute compute,
                          float[] reuse) {
        int batch = attention.length, seq = attention[0].length, rows = batch * seq;
        if (mlmLabels.length != rows) throw new IllegalArgumentException(mlmLabels.length + " labels for " + rows + " rows");
        boolean[] attended = new boolean[rows], selected = new boolean[rows];
        int nSelected = 0, nMasked = 0;
        for (int b = 0; b < batch; b++) {
            for (int i = 0; i < seq; i++) {
                int r = b * seq + i, label = mlmLabels[r];
                attended[r] = attention[b][i] != 0;
                selected[r] = restrictCeToMask ? label != Losses.IGNORE_INDEX : attended[r];
                if (selected[r]) nSelected++;
                if (label == Losses.IGNORE_INDEX) continue;
                if (label < 0 || label >= vocab) throw new IllegalArgumentException("label " + label + " outside [0, " + vocab + ")");
                nMasked++;
            }
        }
        float[] dLogits = reuse != null && reuse.length == rows * vocab ? reuse : new float[rows * vocab];
        double[] ceRows = new double[rows], mlmRows = new double[rows], mseRows = new double[rows];
        var rowTerms = new RowTerms(this, studentLogits, teacherLogits, vocab, selected, mlmLabels,
                alphaCe > 0 && nSelected > 0, alphaMlm > 0 && nMasked > 0, alphaMse > 0,
                nSelected, nMasked, accumulation, dLogits, ceRows, mlmRows, mseRows);
        if (compute == null) rowTerms.run(0, rows); else compute.parallel(rows, 4, rowTerms::run);
        double total = 0;
        float ce = 0, mlm = 0, mse = 0, cos = 0;
        if (alphaCe > 0) {
            ce = nSelected == 0 ? 0f : (float) (sum(ceRows) / nSelected * temperature * temperature);
            total += alphaCe * ce;
        }
        if (alphaMlm > 0) {
            mlm = nMasked == 0 ? 0f : (float) (sum(mlmRows) / nMasked);
            total += alphaMlm * mlm;
        }
        if (alphaMse > 0) {
            mse = (float) (sum(mseRows) / Math.max(1, nSelected));
            total += alphaMse * mse;
        }
        float[] dHidden = null;
        if (alphaCos > 0) {
            Loss l = Losses.cosineEmbedding(studentHidden, teacherHidden, rows, dim, attended);
            cos = l.value();
            total += alphaCos * cos;
            dHidden = l.grad();
            for (int i = 0; i < dHidden.length; i++) {
                dHidden[i] *= (float) alphaCos;
                if (accumulation > 1) dHidden[i] /= accumulation;
            }
        }
        return new Result((float) total, ce, mlm, mse, cos, dLogits, dHidden);
    }

    private static double sum(double[] perRow) {
        double s = 0;
        for (double v : perRow) s += v;
        return s;
    }

    /** The logit terms of a range of rows: each row's KL, CE and MSE sums, and its gradient row. */
    private record RowTerms(TripleLoss loss, float[] s, float[] t, int vocab, boolean[] selected, int[] labels,
                            boolean ce, boolean mlm, boolean mse, int nSelected, int nMasked, int accumulation,
                            float[] dLogits, double[] ceRows, double[] mlmRows, double[] mseRows) {

        void run(int from, int to) {
            double[] es = new double[vocab], et = new double[vocab];
            for (int r = from; r < to; r++) {
                boolean kl = ce && selected[r], masked = mlm && labels[r] != Losses.IGNORE_INDEX, sq = mse && selected[r];
                int o = r * vocab;
                if (!kl) Arrays.fill(dLogits, o, o + vocab, 0f);   // klRow writes its row, the other terms add
                if (kl) ceRows[r] = klRow(o, es, et);
                if (masked) mlmRows[r] = crossEntropyRow(o, labels[r], es);
                if (sq) mseRows[r] = mseRow(o);
                if (accumulation > 1 && (kl || masked || sq)) {
                    for (int c = 0; c < vocab; c++) dLogits[o + c] /= accumulation;
                }
            }
        }

        /**
         * {@code sum p_t (log p_t - log p_s)} at the temperature; writes {@code alpha_ce * (p_s - p_t) T / n}
         * (the gradient of batchmean x T^2).
         */
        private double klRow(int o, double[] es, double[] et) {
            double temp = loss.temperature, maxS = Double.NEGATIVE_INFINITY, maxT = Double.NEGATIVE_INFINITY;
            for (int c = 0; c < vocab; c++) {
                maxS = Math.max(maxS, s[o + c] / temp);
                maxT = Math.max(maxT, t[o + c] / temp);
            }
            double sumS = 0, sumT = 0;
            for (int c = 0; c < vocab; c++) {
                sumS += es[c] = Math.exp(s[o + c] / temp - maxS);
                sumT += et[c] = Math.exp(t[o + c] / temp - maxT);
            }
            double lseS = maxS + Math.log(sumS), lseT = maxT + Math.log(sumT), total = 0;
            float a = (float) loss.alphaCe;
            for (int c = 0; c < vocab; c++) {
                double logPs = s[o + c] / temp - lseS, logPt = t[o + c] / temp - lseT, target = et[c] / sumT;
                if (target > 0) total += target * (logPt - logPs);
                dLogits[o + c] = a * (float) ((es[c] / sumS - target) * temp / nSelected);
            }
            return total;
        }

        /** {@code logsumexp(s) - s[label]}; adds {@code alpha_mlm * (softmax(s) - onehot) / n}. */
        private double crossEntropyRow(int o, int label, double[] e) {
            double max = Double.NEGATIVE_INFINITY;
            for (int c = 0; c < vocab; c++) max = Math.max(max, s[o + c]);
            double sum = 0;
            for (int c = 0; c < vocab; c++) sum += e[c] = Math.exp(s[o + c] - max);
            float a = (float) loss.alphaMlm, hot = (float) (1.0 / nMasked);
            for (int c = 0; c < vocab; c++) {
                float g = (float) (e[c] / sum / nMasked);
                if (c == label) g -= hot;
                dLogits[o + c] += a * g;
            }
            return max + Math.log(sum) - s[o + label];
        }

        /** {@code sum (s - t)^2}; adds {@code alpha_mse * 2 (s - t) / n}. */
        private double mseRow(int o) {
            double total = 0, scale = loss.alphaMse * 2 / Math.max(1, nSelected);
            for (int c = 0; c < vocab; c++) {
                double d = (double) s[o + c] - t[o + c];
                total += d * d;
                dLogits[o + c] += (float) (scale * d);
            }
            return total;
        }
    }
}
