package dev.speechmamba.decode;

import dev.speechmamba.backend.Backend;
import dev.speechmamba.model.AsrModel;
import dev.speechmamba.model.CrossAttentionCache;
import dev.speechmamba.model.TensorArena;
import dev.speechmamba.tensor.Tensor;

import java.util.ArrayList;
import java.util.List;

/**
 * The model's attention decoder over one segment of encoder output, as a {@link NextTokenScorer}: each call
 * runs {@link AsrModel#decode} once for all prefixes, every row cross-attending to the same (T_seg, d)
 * memory. The memory is uploaded, and its cross-attention keys and values projected, once, as a batch of one that
 * every hypothesis shares, and kept until {@link #close}.
 *
 * <p>For decoders that run one token at a time ({@link AsrModel#decodesIncrementally}: both architectures) it keeps
 * the decoder state of the last call's prefixes: when every new prefix is one of them plus one token (beam
 * search), a call costs one decoder step for the new tokens instead of a pass over whole prefixes. Any other
 * batch of prefixes (mixed lengths) is scored by a full pass.
 */
public final class AsrModelDecoder implements NextTokenScorer, AutoCloseable {
    private final AsrModel model;
    private final float[] memory;   // (T_seg, d)
    private final int frames;
    private final TensorArena memoryArena;
    private Shared shared;                                   // made on first use

    private record Shared(AsrModel.Encoded memory, CrossAttentionCache crossAttention) { }

    /**
     * @param memory (frames, d) row-major encoder output of the segment (after the encoder's final norm)
     */
    public AsrModelDecoder(AsrModel model, float[] memory, int frames) {
        this(model, memory, frames, model.decodesIncrementally());
    }

    /** As above; {@code incremental} false always recomputes whole prefixes (for comparisons). */
    public AsrModelDecoder(AsrModel model, float[] memory, int frames, boolean incremental) {
        int d = model.config().dModel();
        if (frames < 1 || memory.length != frames * d) {
            throw new IllegalArgumentException("decoder memory: expected " + frames + "·" + d + " values (frames ≥ 1), got "
                    + memory.length);
        }
        this.model = model;
        this.memory = memory;
        this.frames = frames;
        this.memoryArena = new TensorArena(model.backend());
        if (incremental && !model.decodesIncrementally()) {
            throw new IllegalArgumentException("decoder: " + model.config().name() + " cannot decode token by token");
        }
        this.incremental = incremental;
        this.stepped = new SteppedPrefixes(model.backend(), model::startDecoding);
    }

    private final boolean incremental;
    private final SteppedPrefixes stepped;

    @Override public int vocabSize() { return model.config().vocabSize(); }

    @Override
    public float[][] nextLogProbs(List<int[]> prefixes) {
        int n = prefixes.size(), v = vocabSize();
        if (n == 0) return new float[0][];
        int longest = 0;
        for (int[] p : prefixes) {
            if (p.length == 0) throw new IllegalArgumentException("decoder: an empty prefix (prefixes start with <sos>)");
            longest = Math.max(longest, p.length);
        }
        if (incremental) {
            float[][] scored = stepFromLastCall(prefixes);
            if (scored != null) return scored;
        }
        int[] tokens = new int[n * longest];                 // (N, L), padded with <sos> past each row's length
        int[] lengths = new int[n];
        java.util.Arrays.fill(tokens, model.config().sosEos());
        for (int r = 0; r < n; r++) {
            System.arraycopy(prefixes.get(r), 0, tokens, r * longest, prefixes.get(r).length);
            lengths[r] = prefixes.get(r).length;
        }
        Backend be = model.backend();
        float[] logits;                                      // (N, L, V)
        try (TensorArena arena = new TensorArena(be)) {
            Shared memory = sharedMemory();
            AsrModel.Decoded out = model.decode(arena, memory.memory(), tokens, lengths, longest, false, 0, memory.crossAttention());
            logits = be.toHost(out.logits());
        }
        float[][] result = new float[n][v];
        for (int r = 0; r < n; r++) LogProbs.logSoftmax(logits, (r * longest + lengths[r] - 1) * v, v, result[r], 0);
        return result;
    }

    /**
     * Scores the prefixes by stepping the decoder state: from the last call's state when each prefix extends one
     * of its prefixes by a token, else from the start over all tokens. Null when the prefixes differ in length
     * (the caller then runs a full pass).
     */
    private float[][] stepFromLastCall(List<int[]> prefixes) {
        int n = prefixes.size(), v = vocabSize();
        Shared memory = sharedMemory();
        float[] logits = stepped.logits(prefixes,                              // (N, V)
                (arena, state, tokens) -> model.decodeStep(arena, memory.memory(), memory.crossAttention(), state, tokens));
        if (logits == null) return null;
        float[][] result = new float[n][v];
        for (int r = 0; r < n; r++) LogProbs.logSoftmax(logits, r * v, v, result[r], 0);
        return result;
    }

    private Shared sharedMemory() {
        if (shared == null) {
            int d = model.config().dModel();
            Tensor out = memoryArena.floats(memory, 1, frames, d);       // (1, T_seg, d)
            Tensor lengthTensor = memoryArena.ints(new int[] {frames}, 1);
            AsrModel.Encoded encoded = new AsrModel.Encoded(null, List.of(), null, out, lengthTensor, new int[] {frames}, null);
            shared = new Shared(encoded, model.projectDecoderMemory(memoryArena, encoded));
        }
        return shared;
    }

    @Override public void close() {
        stepped.close();
        shared = null;
        memoryArena.close();
    }
}
