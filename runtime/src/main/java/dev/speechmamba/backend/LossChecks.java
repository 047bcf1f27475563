package dev.speechmamba.backend;

import dev.speechmamba.tensor.Tensor;

/** Argument checks of the CTC and cross-entropy losses, shared by every backend. */
public final class LossChecks {
    private LossChecks() { }

    /** CTC's blank label. */
    public static final int BLANK = 0;

    /** Sizes of a checked CTC call and the host copies of its I32 inputs. */
    public record CtcDims(int batch, int time, int vocab, int maxTarget,
                          int[] inputLengths, int[] targets, int[] targetLengths) { }

    /** Sizes of a checked cross-entropy call and the host copy of its targets. */
    public record CrossEntropyDims(int rows, int vocab, int[] targets) { }

    /**
     * Checks logits (B, T, V) F32 with V &gt;= 2, inputLengths (B) in [0, T], targets (B, S) I32 with labels in
     * [1, V) within each row's length, targetLengths (B) in [0, S].
     */
    public static CtcDims ctcInputs(String op, Tensor logits, Tensor inputLengths, Tensor targets,
                                    Tensor targetLengths, HostInts hostInts) {
        Checks.f32(op, "logits", logits);
        Checks.shape(op, "logits", logits, Checks.ANY, Checks.ANY, Checks.ANY);
        int batch = logits.dim(0), time = logits.dim(1), vocab = logits.dim(2);
        if (vocab < 2) throw Checks.error(op, "logits " + logits.shape() + " need V >= 2 (blank plus a label)");
        Checks.i32(op, "inputLengths", inputLengths);
        Checks.shape(op, "inputLengths", inputLengths, batch);
        Checks.i32(op, "targets", targets);
        Checks.shape(op, "targets", targets, batch, Checks.ANY);
        int maxTarget = targets.dim(1);
        Checks.i32(op, "targetLengths", targetLengths);
        Checks.shape(op, "targetLengths", targetLengths, batch);
        int[] inputLengthValues = hostInts.read(inputLengths);
        Checks.lengths(op, "inputLengths", inputLengthValues, time);
        int[] targetLengthValues = hostInts.read(targetLengths);
        Checks.lengths(op, "targetLengths", targetLengthValues, maxTarget);
        int[] labels = hostInts.read(targets); // (B, S)
        for (int b = 0; b < batch; b++) {
            for (int s = 0; s < targetLengthValues[b]; s++) {
                int label = labels[b * maxTarget + s];
                if (label <= BLANK || label >= vocab) {
                    throw Checks.error(op, "targets[" + b + ", " + s + "] = " + label + " is outside [1, " + vocab
                            + ") (0 is the blank) for logits " + logits.shape());
                }
            }
        }
        return new CtcDims(batch, time, vocab, maxTarget, inputLengthValues, labels, targetLengthValues);
    }

    /** Checks logits (N, V) F32, targets (N) I32 each in [0, V) or ignoreIndex, smoothing in [0, 1]. */
    public static CrossEntropyDims crossEntropyInputs(String op, Tensor logits, Tensor targets, float smoothing,
                                                      int ignoreIndex, HostInts hostInts) {
        Checks.f32(op, "logits", logits);
        Checks.shape(op, "logits", logits, Checks.ANY, Checks.ANY);
        int rows = logits.dim(0), vocab = logits.dim(1);
        if (vocab < 1) throw Checks.error(op, "logits " + logits.shape() + " have no classes");
        Checks.i32(op, "targets", targets);
        Checks.shape(op, "targets", targets, rows);
        if (!(smoothing >= 0 && smoothing <= 1)) {
            throw Checks.error(op, "smoothing " + smoothing + " is outside [0, 1]");
        }
        int[] labels = hostInts.read(targets); // (N)
        for (int r = 0; r < rows; r++) {
            if (labels[r] != ignoreIndex && (labels[r] < 0 || labels[r] >= vocab)) {
                throw Checks.error(op, "targets[" + r + "] = " + labels[r] + " is outside [0, " + vocab
                        + ") and is not ignoreIndex " + ignoreIndex + " for logits " + logits.shape());
            }
        }
        return new CrossEntropyDims(rows, vocab, labels);
    }

    /** Checks the per-row losses (or their gradient): F32 of shape (rows). */
    public static void perRow(String op, String name, Tensor t, int rows) {
        Checks.f32(op, name, t);
        Checks.shape(op, name, t, rows);
    }

    /** Checks an optional dLogits like logits. */
    public static void logitsGrad(String op, Tensor dLogits, Tensor logits) {
        Checks.gradLike(op, "dLogits", dLogits, "logits", logits);
    }
}
