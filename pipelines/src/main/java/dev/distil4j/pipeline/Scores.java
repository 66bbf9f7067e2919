package dev.distil4j.pipeline;

/**
 * Score functions in float32, as transformers computes them (torch / numpy on float32 arrays):
 * shift by the maximum, exponentiate, normalise. The sum is accumulated in double and rounded once,
 * which is closer to torch's vectorised (and numpy's pairwise) float32 sums than a naive float loop.
 */
final class Scores {
    private Scores() {}

    /** Softmax of {@code x[off .. off+n)} into a new array. */
    static float[] softmax(float[] x, int off, int n) {
        float max = Float.NEGATIVE_INFINITY;
        for (int i = 0; i < n; i++) max = Math.max(max, x[off + i]);
        float[] out = new float[n];
        double sum = 0;
        for (int i = 0; i < n; i++) {
            float e = (float) Math.exp(x[off + i] - max);
            out[i] = e;
            sum += e;
        }
        float s = (float) sum;
        for (int i = 0; i < n; i++) out[i] = out[i] / s;
        return out;
    }

    /** numpy's {@code 1.0 / (1.0 + np.exp(-x))} on float32. */
    static float sigmoid(float x) {
        return 1f / (1f + (float) Math.exp(-x));
    }

    /** Above this k, a full sort is cheaper than insertion into the sorted buffer (which costs n * k). */
    private static final int INSERTION_MAX_K = 32;

    /** Indices of the {@code k} largest values, largest first; ties keep the lower index first. */
    static int[] topK(float[] values, int k) {
        k = Math.min(k, values.length);
        if (k > INSERTION_MAX_K) return sortedTopK(values, k);
        int[] top = new int[k];
        int n = 0;
        // insertion into a small sorted buffer: k is small (5-10) next to the vocabulary
        for (int i = 0; i < values.length; i++) {
            float v = values[i];
            if (n == k && !(v > values[top[k - 1]])) continue;
            int pos = n < k ? n++ : k - 1;
            while (pos > 0 && v > values[top[pos - 1]]) {
                top[pos] = top[pos - 1];
                pos--;
            }
            top[pos] = i;
        }
        return top;
    }

    /** The same order by a stable sort (equal values keep the lower index first), for a large k. */
    private static int[] sortedTopK(float[] values, int k) {
        Integer[] order = new Integer[values.length];
        for (int i = 0; i < order.length; i++) order[i] = i;
        // + 0f folds -0.0 into 0.0, which the insertion's > treats as equal
        java.util.Arrays.sort(order, (a, b) -> Float.compare(values[b] + 0f, values[a] + 0f));
        int[] top = new int[k];
        for (int i = 0; i < k; i++) top[i] = order[i];
        return top;
    }
}
