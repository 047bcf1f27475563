package dev.speechmamba.model;

import dev.speechmamba.backend.AttentionMask;
import dev.speechmamba.backend.Backend;
import dev.speechmamba.tensor.Tensor;

import java.util.SplittableRandom;

/**
 * Multi-head attention with q/k/v/out projections (all with bias) around {@link Backend#attention}:
 * queries from one sequence, keys and values from another (the same one for self-attention).
 */
public final class MultiHeadAttention {
    private final Linear q, k, v, o;
    private final int heads, headDim;

    public MultiHeadAttention(ParameterSet params, String prefix, int d, int heads, SplittableRandom rng) {
        if (d % heads != 0) throw new IllegalArgumentException("attention: d " + d + " not divisible by heads " + heads);
        this.heads = heads;
        this.headDim = d / heads;
        this.q = new Linear(params, prefix + "q_proj.", d, d, true, rng);
        this.k = new Linear(params, prefix + "k_proj.", d, d, true, rng);
        this.v = new Linear(params, prefix + "v_proj.", d, d, true, rng);
        this.o = new Linear(params, prefix + "out_proj.", d, d, true, rng);
    }

    /** Zeroes the output projection, so the attention outputs zeros until training moves it. */
    void zeroOutput(Backend be) { o.zero(be); }

    public record Activations(Tensor query, Tensor memory, Tensor q, Tensor k, Tensor v, Tensor context, Tensor lse,
                              AttentionMask mask, Tensor out) { }

    private float scale() { return (float) (1 / Math.sqrt(headDim)); }

    /**
     * Keys and values projected from a memory once, for queries that attend to the same memory many times (the
     * decoder's cross-attention during beam search: one projection per segment instead of one per step).
     *
     * @param memory (B, Tk, d) the source
     * @param k      (B, Tk, H, Dh)
     * @param v      (B, Tk, H, Dh)
     */
    public record ProjectedMemory(Tensor memory, Tensor k, Tensor v) { }

    /** Projects {@code memory} (B, Tk, d) to keys and values; the tensors live in {@code arena}. */
    public ProjectedMemory projectMemory(TensorArena arena, Tensor memory) {
        Backend be = arena.backend();
        int batch = memory.dim(0), tk = memory.dim(1), d = heads * headDim;
        Tensor kh = arena.zeros(batch, tk, heads, headDim);                 // (B, Tk, H, Dh)
        Tensor vh = arena.zeros(batch, tk, heads, headDim);                 // (B, Tk, H, Dh)
        k.forward(be, kh.reshape(batch * tk, d), memory.reshape(batch * tk, d));
        v.forward(be, vh.reshape(batch * tk, d), memory.reshape(batch * tk, d));
        return new ProjectedMemory(memory, kh, vh);
    }

    /**
     * @param query  (B, Tq, d)
     * @param memory (B, Tk, d) keys/values source
     * @return activations; out is (B, Tq, d)
     */
    public Activations forward(TensorArena arena, Tensor query, Tensor memory, AttentionMask mask) {
        return forward(arena, query, mask, projectMemory(arena, memory));
    }

    /**
     * The same with keys and values projected beforehand ({@link #projectMemory}), of the queries' batch or of batch
     * 1: one memory that every row attends to (beam search's hypotheses over one segment), for inference.
     */
    public Activations forward(TensorArena arena, Tensor query, AttentionMask mask, ProjectedMemory projected) {
        Backend be = arena.backend();
        int batch = query.dim(0), tq = query.dim(1), d = heads * headDim;
        boolean shared = projected.k().dim(0) == 1 && batch > 1;
        if (projected.k().dim(0) != batch && !shared) {
            throw new IllegalArgumentException("attention: projected memory has batch " + projected.k().dim(0)
                    + " but the queries have " + batch + " (a memory of batch 1 is shared by every row)");
        }
        if (shared && (mask.causal() || mask.windowed())) {
            throw new IllegalArgumentException("attention: a memory shared by every row takes a padding mask only");
        }
        Tensor memory = projected.memory(), kh = projected.k(), vh = projected.v();
        Tensor qh = arena.zeros(batch, tq, heads, headDim);                 // (B, Tq, H, Dh)
        q.forward(be, qh.reshape(batch * tq, d), query.reshape(batch * tq, d));
        Tensor context = arena.zeros(batch, tq, heads, headDim);            // (B, Tq, H, Dh)
        Tensor lse;
        if (shared) {
            // Every row's queries as the queries of one row: without a causal or window rule a query's output does
            // not depend on its row or position, and the keys are read once instead of once per row.
            lse = arena.zeros(1, heads, batch * tq);                        // (1, H, B·Tq)
            be.attention(context.reshape(1, batch * tq, heads, headDim), lse, qh.reshape(1, batch * tq, heads, headDim),
                    kh, vh, mask, scale());
        } else {
            lse = arena.zeros(batch, heads, tq);                            // (B, H, Tq)
            be.attention(context, lse, qh, kh, vh, mask, scale());
        }
        Tensor out = arena.zeros(batch, tq, d);                             // (B, Tq, d)
        o.forward(be, out.reshape(batch * tq, d), context.reshape(batch * tq, d));
        return new Activations(query, memory, qh, kh, vh, context, lse, mask, out);
    }

    /**
     * Keys and values of the positions so far, (B, t, H, Dh) each, for causal self-attention run one position at
     * a time. Grows by one position per {@link #stepCausal}; its tensors live in the arena it was made in (the
     * decoder state's), so a cache lives as long as that state.
     */
    public static final class KeyValueCache implements SequenceBlock.StepState {
        private final TensorArena home;
        private Tensor k, v;                                                 // (B, t, H, Dh), null while t = 0

        KeyValueCache(TensorArena home) { this(home, null, null); }

        private KeyValueCache(TensorArena home, Tensor k, Tensor v) {
            this.home = home;
            this.k = k;
            this.v = v;
        }

        /** Positions held. */
        public int length() { return k == null ? 0 : k.dim(1); }

        private void append(Backend be, Tensor kNew, Tensor vNew) {           // (B, 1, H, Dh) each
            int batch = kNew.dim(0), heads = kNew.dim(2), dh = kNew.dim(3), t = length(), w = heads * dh;
            Tensor k2 = home.zeros(batch, t + 1, heads, dh);                  // (B, t+1, H, Dh)
            Tensor v2 = home.zeros(batch, t + 1, heads, dh);
            if (t > 0) {
                be.sliceLastDimBackward(k2.reshape(batch, (t + 1) * w), k.reshape(batch, t * w), 0);
                be.sliceLastDimBackward(v2.reshape(batch, (t + 1) * w), v.reshape(batch, t * w), 0);
            }
            be.sliceLastDimBackward(k2.reshape(batch, (t + 1) * w), kNew.reshape(batch, w), t * w);
            be.sliceLastDimBackward(v2.reshape(batch, (t + 1) * w), vNew.reshape(batch, w), t * w);
            k = k2;
            v = v2;
        }

        @Override
        public KeyValueCache selectRows(TensorArena arena, Tensor rowIds) {
            if (k == null) return new KeyValueCache(arena);
            Backend be = arena.backend();
            int rows = rowIds.dim(0), from = k.dim(0), t = k.dim(1), heads = k.dim(2), dh = k.dim(3), w = t * heads * dh;
            Tensor k2 = arena.zeros(rows, t, heads, dh);                      // (B', t, H, Dh)
            Tensor v2 = arena.zeros(rows, t, heads, dh);
            be.embedding(k2.reshape(rows, w), rowIds, k.reshape(from, w));
            be.embedding(v2.reshape(rows, w), rowIds, v.reshape(from, w));
            return new KeyValueCache(arena, k2, v2);
        }
    }

    /**
     * Causal self-attention for one new position per row: query (B, 1, d) → (B, 1, d), attending to the cached
     * positions and itself, which is what the causal {@link #forward} gives at that position. The new key and
     * value join {@code cache}.
     */
    public Tensor stepCausal(TensorArena arena, Tensor query, KeyValueCache cache) {
        Backend be = arena.backend();
        int batch = query.dim(0), d = heads * headDim;
        if (query.dim(1) != 1) throw new IllegalArgumentException("attention step: query " + query.shape() + " must be (B, 1, d)");
        Tensor qh = arena.zeros(batch, 1, heads, headDim);                  // (B, 1, H, Dh)
        Tensor kh = arena.zeros(batch, 1, heads, headDim);
        Tensor vh = arena.zeros(batch, 1, heads, headDim);
        q.forward(be, qh.reshape(batch, d), query.reshape(batch, d));
        k.forward(be, kh.reshape(batch, d), query.reshape(batch, d));
        v.forward(be, vh.reshape(batch, d), query.reshape(batch, d));
        cache.append(be, kh, vh);
        Tensor context = arena.zeros(batch, 1, heads, headDim);             // (B, 1, H, Dh)
        Tensor lse = arena.zeros(batch, heads, 1);                          // (B, H, 1)
        be.attention(context, lse, qh, cache.k, cache.v, AttentionMask.none(), scale());
        Tensor out = arena.zeros(batch, 1, d);                              // (B, 1, d)
        o.forward(be, out.reshape(batch, d), context.reshape(batch, d));
        return out;
    }

    /** Accumulates dQuery (B, Tq, d) and dMemory (B, Tk, d) (the same tensor for self-attention). */
    public void backward(TensorArena arena, Tensor dQuery, Tensor dMemory, Tensor dOut, Activations act) {
        if (act.k().dim(0) != act.query().dim(0)) {
            throw new IllegalStateException("attention backward: the forward pass shared one memory by every row (inference only)");
        }
        Backend be = arena.backend();
        int batch = act.query().dim(0), tq = act.query().dim(1), tk = act.memory().dim(1), d = heads * headDim;
        Tensor dContext = arena.zeros(batch, tq, heads, headDim);
        o.backward(be, dContext.reshape(batch * tq, d), dOut.reshape(batch * tq, d), act.context().reshape(batch * tq, d));
        Tensor dq = arena.zeros(batch, tq, heads, headDim);
        Tensor dk = arena.zeros(batch, tk, heads, headDim);
        Tensor dv = arena.zeros(batch, tk, heads, headDim);
        be.attentionBackward(dq, dk, dv, dContext, act.q(), act.k(), act.v(), act.context(), act.lse(), act.mask(),
                scale());
        q.backward(be, dQuery.reshape(batch * tq, d), dq.reshape(batch * tq, d), act.query().reshape(batch * tq, d));
        k.backward(be, dMemory.reshape(batch * tk, d), dk.reshape(batch * tk, d), act.memory().reshape(batch * tk, d));
        v.backward(be, dMemory.reshape(batch * tk, d), dv.reshape(batch * tk, d), act.memory().reshape(batch * tk, d));
    }
}
