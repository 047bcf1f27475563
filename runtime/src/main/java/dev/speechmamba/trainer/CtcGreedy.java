package dev.speechmamba.trainer;

import dev.speechmamba.model.AsrBatch;
import dev.speechmamba.model.AsrModel;
import dev.speechmamba.model.TensorArena;

/**
 * CTC greedy decoding: the best label of every encoder frame, repeats merged, blanks (and the &lt;sos/eos&gt;
 * id, which CTC never targets) dropped. Enough for validation WER during training.
 */
public final class CtcGreedy {
    private CtcGreedy() { }

    /** Token ids per row of {@code batch} (no dropout). */
    public static int[][] decode(AsrModel model, AsrBatch batch) {
        try (TensorArena arena = new TensorArena(model.backend())) {
            AsrModel.Encoded enc = model.encodeForInference(arena, batch);
            float[] logits = model.backend().toHost(enc.ctcLogits());      // (B, T', V)
            return collapse(logits, enc.batch(), enc.frames(), model.config().vocabSize(), enc.hostLengths(),
                    model.config().blank(), model.config().sosEos());
        }
    }

    /** Greedy path of row-major logits (B, T, V) with valid lengths per row. */
    public static int[][] collapse(float[] logits, int batch, int frames, int vocab, int[] lengths, int blank, int sosEos) {
        if (logits.length != (long) batch * frames * vocab) {
            throw new IllegalArgumentException("CTC greedy: " + logits.length + " logits, expected B·T·V = "
                    + batch + "·" + frames + "·" + vocab);
        }
        int[][] out = new int[batch][];
        for (int b = 0; b < batch; b++) {
            if (lengths[b] < 0 || lengths[b] > frames) {
                throw new IllegalArgumentException("CTC greedy: row " + b + " length " + lengths[b] + " outside [0, " + frames + "]");
            }
            int[] ids = new int[lengths[b]];
            int n = 0, previous = -1;
            for (int t = 0; t < lengths[b]; t++) {
                int base = (b * frames + t) * vocab, best = 0;
                for (int k = 1; k < vocab; k++) if (logits[base + k] > logits[base + best]) best = k;
                if (best != previous && best != blank && best != sosEos) ids[n++] = best;
                previous = best;
            }
            out[b] = java.util.Arrays.copyOf(ids, n);
        }
        return out;
    }
}
