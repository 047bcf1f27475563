package dev.speechmamba.demo;

import dev.speechmamba.backend.Backend;
import dev.speechmamba.model.TensorArena;
import dev.speechmamba.tensor.Tensor;
import dev.speechmamba.train.AdamOptimizer;
import dev.speechmamba.train.GradientClipping;

/**
 * One training step of a {@link MambaTagger}: forward, masked cross-entropy (targets of -1 ignored),
 * backward, global-norm clipping and an Adam update. Kept separate from the demo so tests can drive
 * single steps on any backend.
 */
public final class TaggerTrainer implements AutoCloseable {
    private final MambaTagger model;
    private final AdamOptimizer adam;
    private final double clipNorm;

    public TaggerTrainer(MambaTagger model, double clipNorm) {
        this.model = model;
        this.adam = AdamOptimizer.speechMamba(model.parameters());
        this.clipNorm = clipNorm;
    }

    public AdamOptimizer optimizer() { return adam; }

    /** Mean loss over the targeted positions and the gradient norm before clipping. */
    public record StepResult(double loss, double gradNorm, int targets) { }

    /** Computes loss and accumulates gradients (after zeroing them) without updating weights. */
    public StepResult lossAndGradients(SelectiveCopyingTask.Batch batch, boolean training, long seed) {
        Backend be = model.parameters().backend();
        model.parameters().zeroGrads();
        int rows = batch.size() * batch.length();
        int targets = 0;
        for (int t : batch.targets()) if (t != SelectiveCopyingTask.IGNORE) targets++;
        if (targets == 0) throw new IllegalArgumentException("batch has no targets to learn from");
        try (TensorArena arena = new TensorArena(be)) {
            MambaTagger.Pass pass = model.forward(arena, batch.inputs(), batch.size(), batch.length(), training, seed);
            Tensor targetT = arena.ints(batch.targets(), rows);
            Tensor losses = arena.zeros(rows);
            be.crossEntropy(losses, pass.logits(), targetT, 0f, SelectiveCopyingTask.IGNORE);
            double sum = 0;
            for (float l : be.toHost(losses)) sum += l;
            float[] weights = new float[rows];
            java.util.Arrays.fill(weights, 1f / targets); // mean over targeted positions
            Tensor dLosses = arena.floats(weights, rows);
            Tensor dLogits = arena.zeros(rows, model.vocabulary());
            be.crossEntropyBackward(dLogits, dLosses, pass.logits(), targetT, 0f, SelectiveCopyingTask.IGNORE);
            model.backward(arena, pass, dLogits);
            double norm = GradientClipping.globalNorm(be, model.parameters().grads());
            return new StepResult(sum / targets, norm, targets);
        }
    }

    /** A full training step: gradients, clipping to {@code clipNorm}, Adam with learning rate {@code lr}. */
    public StepResult step(SelectiveCopyingTask.Batch batch, float lr, long seed) {
        StepResult r = lossAndGradients(batch, true, seed);
        GradientClipping.clipGlobalNorm(model.parameters().backend(), model.parameters().grads(), clipNorm);
        adam.step(lr);
        return r;
    }

    /** Predicted token per position (argmax of the logits), (batch·length). */
    public int[] predict(SelectiveCopyingTask.Batch batch) {
        Backend be = model.parameters().backend();
        try (TensorArena arena = new TensorArena(be)) {
            MambaTagger.Pass pass = model.forward(arena, batch.inputs(), batch.size(), batch.length(), false, 0);
            float[] logits = be.toHost(pass.logits());
            int v = model.vocabulary();
            int[] out = new int[logits.length / v];
            for (int r = 0; r < out.length; r++) {
                int best = 0;
                for (int k = 1; k < v; k++) if (logits[r * v + k] > logits[r * v + best]) best = k;
                out[r] = best;
            }
            return out;
        }
    }

    @Override public void close() { adam.close(); }
}
