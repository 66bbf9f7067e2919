package dev.distil4j.kernels;

/**
 * The error function in double precision, for the reference GELU (the JDK has no erf).
 * |x| < 2.5: the Maclaurin series (alternating, ~40 terms, no harmful cancellation there);
 * beyond: erfc's continued fraction (Lentz), which converges fast for large |x|.
 * Accurate to a few ulps of double, far below float32 resolution.
 */
final class Erf {
    private static final double TWO_OVER_SQRT_PI = 1.1283791670955126;
    private static final double ONE_OVER_SQRT_PI = 0.5641895835477563;

    private Erf() {}

    static double erf(double x) {
        if (Double.isNaN(x)) return x;
        double a = Math.abs(x);
        if (a < 2.5) {
            double x2 = x * x, term = x, sum = x;
            for (int n = 1; n < 100; n++) {
                term *= -x2 / n;
                double t = term / (2 * n + 1);
                sum += t;
                if (Math.abs(t) < 1e-17 * Math.abs(sum)) break;
            }
            return TWO_OVER_SQRT_PI * sum;
        }
        double r = 1.0 - erfcLarge(a);
        return x < 0 ? -r : r;
    }

    /** erfc(x) for x >= 2.5: exp(-x^2)/sqrt(pi) / (x + 1/2 / (x + 1 / (x + 3/2 / (x + ...)))). */
    private static double erfcLarge(double x) {
        if (x > 27) return 0.0;
        // modified Lentz on the continued fraction b0 = x, a_n = n/2, b_n = x
        double tiny = 1e-300;
        double f = x, c = x, d = 0;
        for (int n = 1; n < 500; n++) {
            double an = n * 0.5;
            d = x + an * d;
            if (d == 0) d = tiny;
            c = x + an / c;
            if (c == 0) c = tiny;
            d = 1 / d;
            double delta = c * d;
            f *= delta;
            if (Math.abs(delta - 1) < 1e-16) break;
        }
        return Math.exp(-x * x) * ONE_OVER_SQRT_PI / f;
    }
}
