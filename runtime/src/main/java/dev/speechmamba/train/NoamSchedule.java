package dev.speechmamba.train;

/**
 * The Noam learning-rate schedule of "Attention Is All You Need" (ESPnet's default for Speech-Mamba
 * and Conformer recipes): linear warm-up for {@code warmupSteps}, then decay with the inverse square
 * root of the step.
 * <pre>
 *   lr(step) = factor · d^-0.5 · min(step^-0.5, step · warmup^-1.5)
 * </pre>
 * The peak, reached at step = warmup, is {@code factor · d^-0.5 · warmup^-0.5}; {@link #withPeak}
 * builds the same curve from the peak instead (lr = peak · min(step / warmup, sqrt(warmup / step))).
 */
public final class NoamSchedule {
    private final double scale;   // factor · d^-0.5
    private final int warmupSteps;

    private NoamSchedule(double scale, int warmupSteps) {
        if (!(scale > 0) || Double.isInfinite(scale)) {
            throw new IllegalArgumentException("Noam schedule: scale must be positive and finite, got " + scale);
        }
        if (warmupSteps < 1) {
            throw new IllegalArgumentException("Noam schedule: warmupSteps must be >= 1, got " + warmupSteps);
        }
        this.scale = scale;
        this.warmupSteps = warmupSteps;
    }

    /** The original form: {@code factor · modelDim^-0.5 · min(step^-0.5, step · warmup^-1.5)}. */
    public static NoamSchedule of(double factor, int modelDim, int warmupSteps) {
        if (modelDim < 1) throw new IllegalArgumentException("Noam schedule: modelDim must be >= 1, got " + modelDim);
        if (!(factor > 0)) throw new IllegalArgumentException("Noam schedule: factor must be positive, got " + factor);
        return new NoamSchedule(factor / Math.sqrt(modelDim), warmupSteps);
    }

    /** The same curve parameterized by its peak learning rate, reached at step = warmupSteps. */
    public static NoamSchedule withPeak(double peakLr, int warmupSteps) {
        if (!(peakLr > 0)) throw new IllegalArgumentException("Noam schedule: peakLr must be positive, got " + peakLr);
        if (warmupSteps < 1) {
            throw new IllegalArgumentException("Noam schedule: warmupSteps must be >= 1, got " + warmupSteps);
        }
        return new NoamSchedule(peakLr * Math.sqrt(warmupSteps), warmupSteps);
    }

    /** Learning rate for optimizer step {@code step} (1-based, like {@code Backend.adamStep}). */
    public double learningRate(long step) {
        if (step < 1) throw new IllegalArgumentException("Noam schedule: step is 1-based, got " + step);
        double s = step;
        return scale * Math.min(1.0 / Math.sqrt(s), s * Math.pow(warmupSteps, -1.5));
    }

    /** The largest learning rate of the schedule (at step = warmupSteps). */
    public double peakLearningRate() { return scale / Math.sqrt(warmupSteps); }

    public int warmupSteps() { return warmupSteps; }

    @Override public String toString() {
        return "NoamSchedule(peak=" + peakLearningRate() + ", warmup=" + warmupSteps + ")";
    }
}
