package dev.speechmamba.model;

import dev.speechmamba.backend.Backend;
import dev.speechmamba.tensor.Tensor;

import java.util.SplittableRandom;

/** A {@link MambaBlock} (x + Dropout(Mixer(RMSNorm(x)))) as a stack block; its scan stops at each row's length. */
final class MambaSublayer implements SequenceBlock {
    private final MambaBlock block;

    MambaSublayer(ParameterSet params, String prefix, MambaConfig cfg, float dropout, SplittableRandom rng) {
        this.block = new MambaBlock(params, prefix, cfg, dropout, rng);
    }

    private record Act(MambaBlock.Activations inner) implements Activations {
        @Override public Tensor out() { return inner.out(); }
    }

    @Override
    public Activations forward(TensorArena arena, Tensor x, Context ctx, boolean training, long seed) {
        return new Act(block.forward(arena, x, ctx.lengths(), training, seed));
    }

    @Override
    public void startAsIdentity(Backend be) { block.startAsIdentity(be); }

    @Override
    public StepState newStepState(TensorArena arena, int rows) { return block.newStepState(arena, rows); }

    @Override
    public Tensor step(TensorArena arena, Tensor x, Context ctx, StepState state) {
        return block.step(arena, x, (MambaMixer.StepState) state);
    }

    @Override
    public void backward(TensorArena arena, Tensor dx, Tensor dMemory, Tensor dOut, Activations act) {
        block.backward(arena, dx, dOut, ((Act) act).inner());
    }
}
