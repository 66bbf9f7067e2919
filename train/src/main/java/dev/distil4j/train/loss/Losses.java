package dev.distil4j.train.loss;

/**
 * The losses of transformers' task heads and of DistilBERT's distillation, with their gradients.
 * Sums run in double; the value is returned as the float32 PyTorch would report.
 * Logits are row-major [rows, classes].
 */
public final class Losses {
    /** PyTorch's and transformers' label to skip. */
    public static final int IGNORE_INDEX = -100;

    private Losses() {}

    /**
     * {@code CrossEntropyLoss(ignore_index)}: the mean over rows whose label is not
     * {@code ignoreIndex} of {@code logsumexp(x) - x[label]}. With no such row PyTorch returns NaN;
     * this returns 0 with a zero gradient, so that a batch without targets changes nothing.
     */
    public static Loss crossEntropy(float[] logits, int rows, int classes, int[] labels, int ignoreIndex) {
        if (labels.length != rows) throw new IllegalArgumentException(labels.length + " labels for " + rows + " rows");
        float[] grad = new float[rows * classes];
        int n = 0;
        for (int label : labels) {
            if (label == ignoreIndex) continue;
            if (label < 0 || label >= classes) throw new IllegalArgumentException("label " + label + " outside [0, " + classes + ")");
            n++;
        }
        if (n == 0) return new Loss(0f, grad);
        double total = 0;
        for (int r = 0; r < rows; r++) {
            if (labels[r] == ignoreIndex) continue;
            int o = r * classes;
            double max = Double.NEGATIVE_INFINITY;
            for (int c = 0; c < classes; c++) max = Math.max(max, logits[o + c]);
            double sum = 0;
            for (int c = 0; c < classes; c++) sum += Math.exp(logits[o + c] - max);
            double lse = max + Math.log(sum);
            total += lse - logits[o + labels[r]];
            for (int c = 0; c < classes; c++) grad[o + c] = (float) (Math.exp(logits[o + c] - lse) / n);
            grad[o + labels[r]] -= (float) (1.0 / n);
        }
        return new Loss((float) (total / n), grad);
    }

    /** {@code MSELoss()}: the mean of {@code (x - y)^2} over every element (regression, num_labels outputs). */
    public static Loss mse(float[] predictions, float[] targets) {
        if (predictions.length != targets.length) {
            throw new IllegalArgumentException(targets.length + " targets for " + predictions.length + " outputs");
        }
        int n = predictions.length;
        float[] grad = new float[n];
        double total = 0;
        for (int i = 0; i < n; i++) {
            double d = (double) predictions[i] - targets[i];
            total += d * d;
            grad[i] = (float) (2 * d / n);
        }
        return new Loss((float) (total / n), grad);
    }

    /** {@code BCEWithLogitsLoss()} (multi-label classification): the mean over every element. */
    public static Loss binaryCrossEntropyWithLogits(float[] logits, float[] targets) {
        if (logits.length != targets.length) throw new IllegalArgumentException(targets.length + " targets for " + logits.length + " logits");
        int n = logits.length;
        float[] grad = new float[n];
        double total = 0;
        for (int i = 0; i < n; i++) {
            double x = logits[i], y = targets[i];
            total += Math.max(x, 0) - x * y + Math.log1p(Math.exp(-Math.abs(x)));
            grad[i] = (float) ((1 / (1 + Math.exp(-x)) - y) / n);
        }
        return new Loss((float) (total / n), grad);
    }

    /**
     * Extractive QA, as transformers' {@code *ForQuestionAnswering}: logits [batch, seq, 2] (start,
     * end); positions are clamped to [0, seq] and seq is ignored (an answer outside the window);
     * the loss is {@code (CE(start) + CE(end)) / 2}.
     */
    public static Loss questionAnswering(float[] logits, int batch, int seq, int[] startPositions, int[] endPositions) {
        float[] start = new float[batch * seq], end = new float[batch * seq];
        for (int r = 0; r < batch * seq; r++) {
            start[r] = logits[2 * r];
            end[r] = logits[2 * r + 1];
        }
        Loss s = crossEntropy(start, batch, seq, clamp(startPositions, seq), seq);
        Loss e = crossEntropy(end, batch, seq, clamp(endPositions, seq), seq);
        float[] grad = new float[2 * batch * seq];
        for (int r = 0; r < batch * seq; r++) {
            grad[2 * r] = s.grad()[r] / 2;
            grad[2 * r + 1] = e.grad()[r] / 2;
        }
        return new Loss((s.value() + e.value()) / 2, grad);
    }

    private static int[] clamp(int[] positions, int seq) {
        int[] c = new int[positions.length];
        for (int i = 0; i < c.length; i++) c[i] = Math.max(0, Math.min(seq, positions[i]));
        return c;
    }

    /**
     * Distillation's soft-target loss: {@code KLDivLoss(reduction="batchmean")(log_softmax(s / T),
     * softmax(t / T)) * T^2} over the rows where {@code selected} is true (batchmean divides by
     * their count). The gradient is with respect to the student's logits {@code s}.
     */
    public static Loss klDivergence(float[] student, float[] teacher, int rows, int classes, boolean[] selected, double temperature) {
        float[] grad = new float[rows * classes];
        int n = 0;
        for (boolean b : selected) if (b) n++;
        if (n == 0) return new Loss(0f, grad);
        double total = 0, t2 = temperature * temperature;
        for (int r = 0; r < rows; r++) {
            if (!selected[r]) continue;
            int o = r * classes;
            double lseS = logSumExp(student, o, classes, temperature);
            double lseT = logSumExp(teacher, o, classes, temperature);
            for (int c = 0; c < classes; c++) {
                double logPs = student[o + c] / temperature - lseS, logPt = teacher[o + c] / temperature - lseT;
                double target = Math.exp(logPt);
                if (target > 0) total += target * (logPt - logPs);
                grad[o + c] = (float) ((Math.exp(logPs) - target) * temperature / n);
            }
        }
        return new Loss((float) (total / n * t2), grad);
    }

    /** {@code logsumexp(x[o, o + classes) / T)}. */
    private static double logSumExp(float[] x, int o, int classes, double temperature) {
        double max = Double.NEGATIVE_INFINITY;
        for (int c = 0; c < classes; c++) max = Math.max(max, x[o + c] / temperature);
        double sum = 0;
        for (int c = 0; c < classes; c++) sum += Math.exp(x[o + c] / temperature - max);
        return max + Math.log(sum);
    }

    /**
     * {@code CosineEmbeddingLoss()} with target 1 between student and teacher rows [rows, dim] where
     * {@code selected}: the mean of {@code 1 - cos}, {@code cos = s.t / sqrt((|s|^2 + 1e-12)(|t|^2 + 1e-12))}
     * as PyTorch computes it. The gradient is with respect to the student's rows.
     */
    public static Loss cosineEmbedding(float[] student, float[] teacher, int rows, int dim, boolean[] selected) {
        float[] grad = new float[rows * dim];
        int n = 0;
        for (boolean b : selected) if (b) n++;
        if (n == 0) return new Loss(0f, grad);
        double total = 0;
        for (int r = 0; r < rows; r++) {
            if (!selected[r]) continue;
            int o = r * dim;
            double dot = 0, ss = 1e-12, tt = 1e-12;
            for (int c = 0; c < dim; c++) {
                dot += (double) student[o + c] * teacher[o + c];
                ss += (double) student[o + c] * student[o + c];
                tt += (double) teacher[o + c] * teacher[o + c];
            }
            double denom = Math.sqrt(ss * tt), cos = dot / denom;
            total += 1 - cos;
            for (int c = 0; c < dim; c++) grad[o + c] = (float) (-(teacher[o + c] / denom - cos * student[o + c] / ss) / n);
        }
        return new Loss((float) (total / n), grad);
    }

    /**
     * Patient knowledge distillation's loss (Sun et al. 2019): {@code F.mse_loss(F.normalize(s), F.normalize(t))}
     * over rows [rows, dim], the mean over every element of the squared difference between the rows scaled
     * to unit length ({@code x / max(|x|, 1e-12)}). The gradient is with respect to the student's rows.
     */
    public static Loss normalizedMse(float[] student, float[] teacher, int rows, int dim) {
        if (student.length != rows * dim || teacher.length != rows * dim) {
            throw new IllegalArgumentException("normalizedMse: " + student.length + " and " + teacher.length
                    + " values for " + rows + " rows of " + dim);
        }
        float[] grad = new float[rows * dim];
        double total = 0, scale = 2.0 / ((double) rows * dim);
        double[] u = new double[dim], d = new double[dim];
        for (int r = 0; r < rows; r++) {
            int o = r * dim;
            double ns = Math.max(norm(student, o, dim), 1e-12), nt = Math.max(norm(teacher, o, dim), 1e-12);
            double ud = 0;
            for (int c = 0; c < dim; c++) {
                u[c] = student[o + c] / ns;
                d[c] = u[c] - teacher[o + c] / nt;
                total += d[c] * d[c];
                ud += u[c] * d[c];
            }
            // through x / |x|: (I - u u^T) / |x|; below the 1e-12 floor the division is by a constant
            boolean floored = ns == 1e-12;
            for (int c = 0; c < dim; c++) grad[o + c] = (float) (scale * (floored ? d[c] : d[c] - u[c] * ud) / ns);
        }
        return new Loss((float) (total / ((double) rows * dim)), grad);
    }

    private static double norm(float[] x, int o, int dim) {
        double ss = 0;
        for (int c = 0; c < dim; c++) ss += (double) x[o + c] * x[o + c];
        return Math.sqrt(ss);
    }
}
