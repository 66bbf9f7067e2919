package dev.distil4j.train.optim;

/**
 * transformers' {@code get_linear_schedule_with_warmup}: the learning rate rises linearly from 0
 * over {@code warmupSteps}, then falls linearly to 0 at {@code totalSteps}. Step 0 (the first
 * optimizer step) has rate 0 when there is a warmup.
 */
public record LinearSchedule(double baseLr, int warmupSteps, int totalSteps) {
    public LinearSchedule {
        if (warmupSteps < 0 || totalSteps < 0) throw new IllegalArgumentException("steps must be >= 0");
    }

    /** The rate of optimizer step {@code step} (0-based: the number of steps already taken). */
    public double lr(long step) {
        if (step < warmupSteps) return baseLr * step / Math.max(1, warmupSteps);
        return baseLr * Math.max(0.0, (double) (totalSteps - step) / Math.max(1, totalSteps - warmupSteps));
    }
}
