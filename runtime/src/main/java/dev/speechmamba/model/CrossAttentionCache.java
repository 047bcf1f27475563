package dev.speechmamba.model;

import dev.speechmamba.tensor.Tensor;

import java.util.IdentityHashMap;
import java.util.Map;

/**
 * The decoder's cross-attention keys and values for one encoder output, projected once
 * ({@link AsrModel#projectDecoderMemory}) and reused by every {@link AsrModel#decode} call over that output:
 * beam search decodes the same segment once per step, and re-projecting its frames each time cost
 * 2·layers·B·T·d² multiply-adds per step. The tensors live in the arena that made the cache.
 */
public final class CrossAttentionCache {
    private final Tensor memory;
    private final Map<MultiHeadAttention, MultiHeadAttention.ProjectedMemory> byLayer = new IdentityHashMap<>();

    CrossAttentionCache(Tensor memory) { this.memory = memory; }

    /** The (B, S, d) encoder output the keys and values were projected from. */
    public Tensor memory() { return memory; }

    void put(MultiHeadAttention layer, MultiHeadAttention.ProjectedMemory projected) { byLayer.put(layer, projected); }

    MultiHeadAttention.ProjectedMemory get(MultiHeadAttention layer) { return byLayer.get(layer); }
}
