package dev.speechmamba.model;

import dev.speechmamba.backend.AttentionMask;
import dev.speechmamba.backend.Backend;
import dev.speechmamba.tensor.Tensor;

import java.util.SplittableRandom;

/**
 * Pre-norm residual attention: {@code x + Dropout(MHA(Norm(x), keys))}. Self-attention takes keys from
 * Norm(x) and masks padded keys (and future keys when causal); cross-attention takes keys from the
 * encoder output and masks its padded frames.
 */
final class AttentionBlock implements SequenceBlock {
    enum Kind { SELF, CAUSAL_SELF, CROSS }

    private final Kind kind;
    private final Norm norm;
    private final MultiHeadAttention attention;
    private final float dropout;

    AttentionBlock(ParameterSet params, String prefix, Kind kind, Norm.Kind normKind, int d, int heads, float dropout,
                   SplittableRandom rng) {
        this.kind = kind;
        this.norm = new Norm(params, prefix + "norm.", normKind, d);
        this.attention = new MultiHeadAttention(params, prefix, d, heads, rng);
        this.dropout = dropout;
    }

    @Override
    public void startAsIdentity(Backend be) { attention.zeroOutput(be); }

    private record Act(Norm.Activations norm, MultiHeadAttention.Activations attention, float p, long seed,
                       Tensor out) implements Activations { }

    @Override
    public Activations forward(TensorArena arena, Tensor x, Context ctx, boolean training, long seed) {
        Backend be = arena.backend();
        Norm.Activations n = norm.forward(arena, x);
        MultiHeadAttention.Activations a = switch (kind) {
            case SELF -> attention.forward(arena, n.out(), n.out(), new AttentionMask(ctx.lengths(), false,
                    ctx.selfAttentionWindow(), ctx.selfAttentionWindow(), ctx.selfAttentionGlobalTokens()));
            case CAUSAL_SELF -> attention.forward(arena, n.out(), n.out(), AttentionMask.causal(ctx.lengths()));
            case CROSS -> {
                if (ctx.memory() == null) throw new IllegalStateException("cross-attention block without encoder output");
                AttentionMask mask = AttentionMask.padding(ctx.memoryLengths());
                MultiHeadAttention.ProjectedMemory projected =
                        ctx.crossAttention() == null ? null : ctx.crossAttention().get(attention);
                yield projected == null ? attention.forward(arena, n.out(), ctx.memory(), mask)
                        : attention.forward(arena, n.out(), mask, projected);
            }
        };
        float p = training ? dropout : 0f;
        Tensor out = arena.zeros(x.shape().dims());                         // (B, T, d)
        if (p > 0) {
            Tensor dropped = arena.zeros(x.shape().dims());
            be.dropout(dropped, a.out(), p, seed);
            be.add(out, x, dropped);
        } else {
            be.add(out, x, a.out());
        }
        return new Act(n, a, p, seed, out);
    }

    /**
     * Cross-attention is position-wise; causal self-attention keeps a key/value cache of the earlier positions;
     * non-causal self-attention (the encoder's) sees the future and cannot step.
     */
    @Override
    public boolean steppable() { return kind != Kind.SELF; }

    @Override
    public StepState newStepState(TensorArena arena, int rows) {
        return kind == Kind.CAUSAL_SELF ? new MultiHeadAttention.KeyValueCache(arena) : null;
    }

    @Override
    public Tensor step(TensorArena arena, Tensor x, Context ctx, StepState state) {
        return switch (kind) {
            case SELF -> throw new IllegalStateException("non-causal self-attention cannot run one position at a time");
            case CROSS -> forward(arena, x, ctx, false, 0).out();
            case CAUSAL_SELF -> {
                Norm.Activations n = norm.forward(arena, x);
                Tensor attended = attention.stepCausal(arena, n.out(), (MultiHeadAttention.KeyValueCache) state);
                Tensor out = arena.zeros(x.shape().dims());                 // (B, 1, d)
                arena.backend().add(out, x, attended);
                yield out;
            }
        };
    }

    @Override
    public void projectMemory(TensorArena arena, Tensor memory, CrossAttentionCache cache) {
        if (kind == Kind.CROSS) cache.put(attention, attention.projectMemory(arena, memory));
    }

    @Override
    public void backward(TensorArena arena, Tensor dx, Tensor dMemory, Tensor dOut, Activations activations) {
        Act act = (Act) activations;
        Backend be = arena.backend();
        be.axpy(dx, 1f, dOut);
        Tensor dAttention = arena.zeros(dOut.shape().dims());
        if (act.p() > 0) be.dropoutBackward(dAttention, dOut, act.p(), act.seed());
        else be.axpy(dAttention, 1f, dOut);
        Tensor dNormed = arena.zeros(dOut.shape().dims());
        attention.backward(arena, dNormed, kind == Kind.CROSS ? dMemory : dNormed, dAttention, act.attention());
        norm.backward(arena, dx, dNormed, act.norm());
    }
}
