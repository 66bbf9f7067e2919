package dev.distil4j.train.metrics;

import java.util.Arrays;
import java.util.Comparator;
import java.util.stream.IntStream;

/**
 * Pearson and Spearman correlation and mean squared error, as scipy's {@code pearsonr}/{@code spearmanr} and
 * scikit-learn's {@code mean_squared_error}; the GLUE STS-B scores. Everything is computed in double precision
 * (float inputs are widened exactly).
 *
 * <p>Undefined correlations are NaN, as scipy returns them, rather than an exception, so one degenerate evaluation
 * does not stop a training run: a constant array (no variance) or a NaN anywhere gives NaN for both, and an
 * infinite value gives NaN for Pearson (Spearman only ranks it). Callers that need a number test
 * {@link Double#isNaN}.
 */
public final class Regression {
    private Regression() {}

    /**
     * Pearson r, Spearman rho and MSE of the same predictions.
     *
     * @throws IllegalArgumentException on mismatched lengths or fewer than 2 examples
     */
    public static RegressionMetrics evaluate(double[] predictions, double[] labels) {
        return new RegressionMetrics(labels.length, pearson(predictions, labels), spearman(predictions, labels),
                mse(predictions, labels));
    }

    /** {@link #evaluate(double[], double[])} for float model outputs. */
    public static RegressionMetrics evaluate(float[] predictions, float[] labels) {
        return evaluate(widen(predictions), widen(labels));
    }

    /** Pearson's product-moment correlation, clipped to [-1, 1]; NaN for constant or non-finite input. */
    public static double pearson(double[] x, double[] y) {
        check(x, y, 2);
        if (!finite(x) || !finite(y) || constant(x) || constant(y)) return Double.NaN;
        if (x.length == 2) { // two points are always perfectly (anti-)correlated; scipy returns exactly +-1 too
            return Math.signum(x[1] - x[0]) * Math.signum(y[1] - y[0]);
        }
        double[] xs = unit(x), ys = unit(y);
        double r = 0;
        for (int i = 0; i < xs.length; i++) r += xs[i] * ys[i];
        return Math.max(-1.0, Math.min(1.0, r));
    }

    /** {@link #pearson(double[], double[])} for floats. */
    public static double pearson(float[] x, float[] y) {
        return pearson(widen(x), widen(y));
    }

    /** Spearman's rho: Pearson r of the ranks, ties sharing their average rank; NaN for constant or NaN input. */
    public static double spearman(double[] x, double[] y) {
        check(x, y, 2);
        if (hasNaN(x) || hasNaN(y)) return Double.NaN;
        return pearson(ranks(x), ranks(y));
    }

    /** {@link #spearman(double[], double[])} for floats. */
    public static double spearman(float[] x, float[] y) {
        return spearman(widen(x), widen(y));
    }

    /** Mean of the squared differences. */
    public static double mse(double[] predictions, double[] labels) {
        check(predictions, labels, 1);
        double sum = 0;
        for (int i = 0; i < labels.length; i++) {
            double d = predictions[i] - labels[i];
            sum += d * d;
        }
        return sum / labels.length;
    }

    /** {@link #mse(double[], double[])} for floats. */
    public static double mse(float[] predictions, float[] labels) {
        return mse(widen(predictions), widen(labels));
    }

    /** 1-based ranks, ties averaged (scipy's {@code rankdata(method="average")}). */
    static double[] ranks(double[] v) {
        Integer[] order = IntStream.range(0, v.length).boxed().toArray(Integer[]::new);
        Arrays.sort(order, Comparator.comparingDouble(i -> v[i]));
        double[] rank = new double[v.length];
        for (int start = 0; start < v.length; ) {
            int end = start;
            while (end + 1 < v.length && v[order[end + 1]] == v[order[start]]) end++;
            double average = (start + end) / 2.0 + 1;
            for (int k = start; k <= end; k++) rank[order[k]] = average;
            start = end + 1;
        }
        return rank;
    }

    /**
     * Deviations from the mean scaled to unit length, as scipy does; dividing by the largest magnitude first keeps
     * huge values from overflowing the sum of squares.
     */
    private static double[] unit(double[] v) {
        double max = 0;
        for (double d : v) max = Math.max(max, Math.abs(d));
        double mean = 0;
        double[] out = new double[v.length];
        for (int i = 0; i < v.length; i++) {
            out[i] = v[i] / max;
            mean += out[i];
        }
        mean /= v.length;
        double norm = 0;
        for (int i = 0; i < v.length; i++) {
            out[i] -= mean;
            norm += out[i] * out[i];
        }
        norm = Math.sqrt(norm);
        for (int i = 0; i < v.length; i++) out[i] /= norm;
        return out;
    }

    private static boolean constant(double[] v) {
        for (double d : v) if (d != v[0]) return false;
        return true;
    }

    private static boolean finite(double[] v) {
        for (double d : v) if (!Double.isFinite(d)) return false;
        return true;
    }

    private static boolean hasNaN(double[] v) {
        for (double d : v) if (Double.isNaN(d)) return true;
        return false;
    }

    private static double[] widen(float[] v) {
        double[] out = new double[v.length];
        for (int i = 0; i < v.length; i++) out[i] = v[i];
        return out;
    }

    private static void check(double[] x, double[] y, int min) {
        if (x.length != y.length) {
            throw new IllegalArgumentException(x.length + " predictions but " + y.length + " labels");
        }
        if (x.length < min) {
            throw new IllegalArgumentException("need at least " + min + " examples, got " + x.length);
        }
    }
}
