package dev.speechmamba.decode;

import dev.speechmamba.backend.Backend;
import dev.speechmamba.model.DecoderState;
import dev.speechmamba.model.TensorArena;
import dev.speechmamba.tensor.Tensor;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntFunction;

/**
 * Scores prefixes by stepping a causal stack's {@link DecoderState}, keeping the state of the last call's prefixes:
 * when every new prefix is one of them plus one token (a beam search step), a call costs one step; otherwise the
 * prefixes are run from the start. What {@link AsrModelDecoder} and {@link NeuralLmScorer} share.
 */
final class SteppedPrefixes implements AutoCloseable {
    /** One step of the stack: the next-token logits (rows, V) in {@code arena} after feeding {@code tokens}. */
    interface Step {
        Tensor apply(TensorArena arena, DecoderState state, int[] tokens);
    }

    private final Backend backend;
    private final IntFunction<DecoderState> start;
    private DecoderState state;                                  // after consuming each prefix of the last call
    private Map<List<Integer>, Integer> rowOfPrefix = Map.of();  // those prefixes → their row in state

    /** @param start the stack's state before any token, for n rows */
    SteppedPrefixes(Backend backend, IntFunction<DecoderState> start) {
        this.backend = backend;
        this.start = start;
    }

    /**
     * The logits (N, V) after the last token of each prefix; null when the prefixes differ in length (the caller
     * then scores them another way).
     *
     * @param step what runs one position of a state (of any number of rows)
     */
    float[] logits(List<int[]> prefixes, Step step) {
        int n = prefixes.size(), length = prefixes.getFirst().length;
        for (int[] p : prefixes) if (p.length != length) return null;
        int[] parents = new int[n];
        boolean extendsLast = state != null && state.position() == length - 1;
        for (int r = 0; r < n && extendsLast; r++) {
            Integer parent = rowOfPrefix.get(key(prefixes.get(r), length - 1));
            if (parent == null) extendsLast = false;
            else parents[r] = parent;
        }
        DecoderState next = extendsLast ? state.selectRows(parents) : start.apply(n);
        float[] logits = null;                                   // (N, V)
        try {
            for (int position = next.position(); position < length; position++) {
                int[] tokens = new int[n];
                for (int r = 0; r < n; r++) tokens[r] = prefixes.get(r)[position];
                try (TensorArena arena = new TensorArena(backend)) {
                    Tensor out = step.apply(arena, next, tokens);
                    if (position == length - 1) logits = backend.toHost(out);
                }
            }
        } catch (RuntimeException e) {
            next.close();
            throw e;
        }
        if (state != null) state.close();
        state = next;
        Map<List<Integer>, Integer> rows = new HashMap<>();
        for (int r = 0; r < n; r++) rows.putIfAbsent(key(prefixes.get(r), length), r);
        rowOfPrefix = rows;
        return logits;
    }

    private static List<Integer> key(int[] prefix, int length) {
        List<Integer> k = new ArrayList<>(length);
        for (int i = 0; i < length; i++) k.add(prefix[i]);
        return k;
    }

    @Override public void close() {
        if (state != null) state.close();
        state = null;
        rowOfPrefix = Map.of();
    }
}
