package dev.distil4j.train.optim;

import dev.distil4j.kernels.Compute;
import dev.distil4j.train.nn.Param;

import java.util.ArrayList;
import java.util.List;

/**
 * {@code torch.optim.AdamW} (PyTorch 1.13, single-tensor path), per parameter:
 * <pre>
 *   p  *= 1 - lr * weight_decay                      (only parameters with {@link Param#weightDecay()})
 *   m   = beta1 m + (1 - beta1) g
 *   v   = beta2 v + (1 - beta2) g^2
 *   p  -= lr / (1 - beta1^t) * m / (sqrt(v) / sqrt(1 - beta2^t) + eps)
 * </pre>
 * in float32 as PyTorch does. The state (m, v, t) is {@link #state()} and restores exactly.
 */
public final class AdamW {
    /** torch's defaults, with the Trainer's weight decay 0 and eps 1e-8. */
    public record Config(double beta1, double beta2, double eps, double weightDecay) {
        public static Config defaults() {
            return new Config(0.9, 0.999, 1e-8, 0.0);
        }

        public Config withWeightDecay(double wd) {
            return new Config(beta1, beta2, eps, wd);
        }

        public Config withEps(double e) {
            return new Config(beta1, beta2, e, weightDecay);
        }
    }

    /** The moments of every trainable parameter (same order) and the steps taken. */
    public record State(long step, List<float[]> expAvg, List<float[]> expAvgSq) {}

    private final List<Param> params;
    private final Config config;
    private final List<float[]> m = new ArrayList<>(), v = new ArrayList<>();
    private long step;

    public AdamW(List<Param> parameters, Config config) {
        this.params = parameters.stream().filter(Param::trainable).toList();
        this.config = config;
        for (Param p : params) {
            m.add(new float[p.size()]);
            v.add(new float[p.size()]);
        }
    }

    public List<Param> parameters() {
        return params;
    }

    public long steps() {
        return step;
    }

    /** One update of every trainable parameter from its gradient, at learning rate {@code lr}. */
    public void step(double lr, Compute compute) {
        step++;
        float b1 = (float) config.beta1(), b2 = (float) config.beta2(), eps = (float) config.eps();
        float decay = (float) (1 - lr * config.weightDecay());
        double bc1 = 1 - Math.pow(config.beta1(), step), bc2 = 1 - Math.pow(config.beta2(), step);
        float stepSize = (float) (lr / bc1), bc2Sqrt = (float) Math.sqrt(bc2);
        for (int i = 0; i < params.size(); i++) {
            Param p = params.get(i);
            float[] w = p.data(), g = p.grad(), mi = m.get(i), vi = v.get(i);
            boolean decays = p.weightDecay() && config.weightDecay() != 0;
            float d = decays ? decay : 1f;
            compute.parallel(w.length, 16384, (a, b) ->
                    compute.kernels().adamW(w, g, mi, vi, a, b - a, d, b1, b2, stepSize, bc2Sqrt, eps));
            p.changed();
        }
    }

    /** A copy of the state, for a checkpoint. */
    public State state() {
        List<float[]> mc = new ArrayList<>(), vc = new ArrayList<>();
        for (int i = 0; i < params.size(); i++) {
            mc.add(m.get(i).clone());
            vc.add(v.get(i).clone());
        }
        return new State(step, mc, vc);
    }

    /** Restores a {@link #state()} of an optimizer over the same parameters. */
    public void restore(State s) {
        if (s.expAvg().size() != params.size() || s.expAvgSq().size() != params.size()) {
            throw new IllegalArgumentException("optimizer state holds " + s.expAvg().size() + " tensors, this model has "
                    + params.size() + " trainable parameters");
        }
        for (int i = 0; i < params.size(); i++) {
            if (s.expAvg().get(i).length != params.get(i).size() || s.expAvgSq().get(i).length != params.get(i).size()) {
                throw new IllegalArgumentException("optimizer state for " + params.get(i).name() + " has the wrong size");
            }
            System.arraycopy(s.expAvg().get(i), 0, m.get(i), 0, params.get(i).size());
            System.arraycopy(s.expAvgSq().get(i), 0, v.get(i), 0, params.get(i).size());
        }
        step = s.step();
    }
}
