package dev.speechmamba.model;

import dev.speechmamba.backend.Backend;
import dev.speechmamba.tensor.Tensor;

/**
 * One residual sub-layer of an encoder or decoder stack, (B, T, d) → (B, T, d): a Mamba block, an
 * attention block or a feed-forward block. A stack is a list of these; layer boundaries only matter
 * for parameter names.
 */
interface SequenceBlock {

    /** What forward kept for backward; {@code out()} is the block's output (B, T, d). */
    interface Activations {
        Tensor out();
    }

    /**
     * The sequence a stack runs over and, for decoders, the encoder output it attends to.
     *
     * @param lengths       (B) I32 valid positions of x
     * @param memory        (B, S, d) encoder output, or null in the encoder
     * @param memoryLengths (B) I32 valid encoder frames, or null
     * @param selfAttentionWindow non-causal self-attention sees keys at most this many positions before and
     *                      after the query, or -1 for all (limited-context attention in the encoder)
     * @param selfAttentionGlobalTokens with a window, the first this many positions attend to and are attended
     *                      by every position (Longformer-style global tokens); 0 for none, and 0 without a window
     * @param crossAttention keys and values of {@code memory} projected beforehand for each cross-attention
     *                      block, or null to project them in this pass
     */
    record Context(Tensor lengths, Tensor memory, Tensor memoryLengths, int selfAttentionWindow,
                   int selfAttentionGlobalTokens, CrossAttentionCache crossAttention) {
        public Context {
            if (selfAttentionWindow < -1) {
                throw new IllegalArgumentException("self-attention window must be >= 0 frames or -1 (full), got "
                        + selfAttentionWindow);
            }
            if (selfAttentionGlobalTokens < 0) {
                throw new IllegalArgumentException("self-attention global tokens must be >= 0, got "
                        + selfAttentionGlobalTokens);
            }
            if (selfAttentionGlobalTokens > 0 && selfAttentionWindow < 0) {
                throw new IllegalArgumentException("self-attention global tokens (" + selfAttentionGlobalTokens
                        + ") need a window; full attention already sees every position");
            }
        }

        /** A context whose cross-attention projects the memory itself. */
        Context(Tensor lengths, Tensor memory, Tensor memoryLengths, int selfAttentionWindow, int selfAttentionGlobalTokens) {
            this(lengths, memory, memoryLengths, selfAttentionWindow, selfAttentionGlobalTokens, null);
        }

        /** A context without global tokens. */
        Context(Tensor lengths, Tensor memory, Tensor memoryLengths, int selfAttentionWindow) {
            this(lengths, memory, memoryLengths, selfAttentionWindow, 0, null);
        }
    }

    Activations forward(TensorArena arena, Tensor x, Context ctx, boolean training, long seed);

    /** A block's per-row memory of the positions before, for running it one position at a time. */
    interface StepState {
        /** The state of rows {@code rowIds} (B') I32 of this one, in that order (beam search keeps its best rows). */
        StepState selectRows(TensorArena arena, Tensor rowIds);
    }

    /**
     * Zeroes the projection that ends this block's residual branch, so the block passes x through unchanged while
     * every weight still gets a gradient after the first step: how a layer added to a trained stack starts
     * ({@link AsrModel#growFrom}).
     */
    void startAsIdentity(Backend be);

    /** Whether {@link #step} can run this block one position at a time (causal self-attention cannot yet). */
    default boolean steppable() { return true; }

    /** This block's state before the first position, or null when its output depends on the position alone. */
    default StepState newStepState(TensorArena arena, int rows) { return null; }

    /**
     * One new position per row at inference: x (B, 1, d) → (B, 1, d), the output forward gives at that position
     * when it sees all positions so far; {@code state} (from {@link #newStepState}) moves on by one. Position-wise
     * blocks (cross-attention, feed-forward) just run forward on the single position.
     */
    default Tensor step(TensorArena arena, Tensor x, Context ctx, StepState state) {
        return forward(arena, x, ctx, false, 0).out();
    }

    /** Adds this block's projected keys and values of {@code memory} (B, S, d) to {@code cache}; only cross-attention has any. */
    default void projectMemory(TensorArena arena, Tensor memory, CrossAttentionCache cache) { }

    /** Accumulates dx (B, T, d), dMemory (B, S, d; only cross-attention adds to it) and the weight gradients. */
    void backward(TensorArena arena, Tensor dx, Tensor dMemory, Tensor dOut, Activations act);

    /** Derives independent dropout seeds for the sites of one step (SplitMix64 finalizer). */
    static long mix(long seed, long site) {
        long z = seed * 0x9E3779B97F4A7C15L + site * 0xD1B54A32D192ED03L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
