package dev.speechmamba.model;

import dev.speechmamba.tensor.Tensor;

import java.util.ArrayList;
import java.util.List;

/**
 * Residual blocks applied in order, forward and backward: the encoder, the decoder and the neural LM are each one.
 * Block i draws its dropout from {@code mix(seed, seedSite + i)}, so two stacks of one model never share masks.
 */
final class BlockStack {
    private final List<SequenceBlock> blocks = new ArrayList<>();
    private final long seedSite;

    BlockStack(long seedSite) { this.seedSite = seedSite; }

    void add(SequenceBlock block) { blocks.add(block); }

    /** The blocks themselves, in order (for step states, memory projection and depth growth). */
    List<SequenceBlock> blocks() { return blocks; }

    /** Each block's activations, in order; the last one's {@code out()} is the stack's output. */
    record Activations(List<SequenceBlock.Activations> blocks, Tensor out) { }

    /** @param x (B, T, d) the stack's input; returns (B, T, d) in {@code out()} */
    Activations forward(TensorArena arena, Tensor x, SequenceBlock.Context ctx, boolean training, long seed) {
        List<SequenceBlock.Activations> acts = new ArrayList<>(blocks.size());
        Tensor h = x;
        for (int i = 0; i < blocks.size(); i++) {
            SequenceBlock.Activations a = blocks.get(i).forward(arena, h, ctx, training, SequenceBlock.mix(seed, seedSite + i));
            acts.add(a);
            h = a.out();
        }
        return new Activations(acts, h);
    }

    /**
     * @param dOut    (B, T, d) gradient of the stack's output
     * @param dMemory (B, T', d) where cross-attention blocks add the gradient of the memory they read; null without
     * @param acts    the blocks' activations from {@link #forward}
     * @return (B, T, d) gradient of the stack's input
     */
    Tensor backward(TensorArena arena, Tensor dOut, Tensor dMemory, List<SequenceBlock.Activations> acts) {
        Tensor dh = dOut;
        for (int i = blocks.size() - 1; i >= 0; i--) {
            Tensor dIn = arena.zeros(dh.shape().dims());
            blocks.get(i).backward(arena, dIn, dMemory, dh, acts.get(i));
            dh = dIn;
        }
        return dh;
    }
}
