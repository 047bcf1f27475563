package dev.speechmamba.model;

import dev.speechmamba.backend.Backend;
import dev.speechmamba.tensor.Tensor;

import java.util.SplittableRandom;

/** Pre-norm residual Mamba block: {@code x + Dropout(Mixer(RMSNorm(x)))}. */
public final class MambaBlock {
    static final float NORM_EPS = 1e-5f;

    private final Parameter normWeight; // (d)
    private final MambaMixer mixer;
    private final float dropout;

    public MambaBlock(ParameterSet params, String prefix, MambaConfig cfg, float dropout, SplittableRandom rng) {
        this.normWeight = params.add(prefix + "norm.weight", Init.constant(cfg.dModel(), 1f), cfg.dModel());
        this.mixer = new MambaMixer(params, prefix + "mixer.", cfg, rng);
        this.dropout = dropout;
    }

    public record Activations(Tensor x, Tensor normed, Tensor rstd, MambaMixer.Activations mixer, long dropoutSeed,
                              float dropout, Tensor out) {
    }

    /**
     * @param x    (B, T, d)
     * @param seed dropout seed for this call, or any value when not training
     */
    public Activations forward(TensorArena arena, Tensor x, Tensor lengths, boolean training, long seed) {
        Backend be = arena.backend();
        int rows = x.dim(0) * x.dim(1), d = x.dim(2);
        Tensor normed = arena.zeros(x.shape().dims());                // (B, T, d)
        Tensor rstd = arena.zeros(rows);                               // (B·T)
        be.rmsNorm(normed.reshape(rows, d), rstd, x.reshape(rows, d), normWeight.value(), NORM_EPS);
        MambaMixer.Activations m = mixer.forward(arena, normed, lengths);
        float p = training ? dropout : 0f;
        Tensor out = arena.zeros(x.shape().dims());                    // (B, T, d)
        if (p > 0) {
            Tensor dropped = arena.zeros(x.shape().dims());
            be.dropout(dropped, m.out(), p, seed);
            be.add(out, x, dropped);
        } else {
            be.add(out, x, m.out());
        }
        return new Activations(x, normed, rstd, m, seed, p, out);
    }

    /** Makes the block the identity (x + 0) by zeroing the mixer's output projection; see {@link SequenceBlock#startAsIdentity}. */
    void startAsIdentity(Backend be) { mixer.zeroOutput(be); }

    /** The mixer's state before the first position (see {@link MambaMixer#step}). */
    public MambaMixer.StepState newStepState(TensorArena arena, int rows) { return mixer.newStepState(arena, rows); }

    /** One new position per row, x (B, 1, d) → (B, 1, d), at inference (no dropout); {@code state} moves on. */
    public Tensor step(TensorArena arena, Tensor x, MambaMixer.StepState state) {
        Backend be = arena.backend();
        int rows = x.dim(0), d = x.dim(2);
        Tensor normed = arena.zeros(x.shape().dims());                // (B, 1, d)
        Tensor rstd = arena.zeros(rows);                               // (B)
        be.rmsNorm(normed.reshape(rows, d), rstd, x.reshape(rows, d), normWeight.value(), NORM_EPS);
        Tensor mixed = mixer.step(arena, normed, state);
        Tensor out = arena.zeros(x.shape().dims());                    // (B, 1, d)
        be.add(out, x, mixed);
        return out;
    }

    /** Accumulates into dx (B, T, d) and the weight gradients, given dOut (B, T, d). */
    public void backward(TensorArena arena, Tensor dx, Tensor dOut, Activations act) {
        Backend be = arena.backend();
        int rows = act.x().dim(0) * act.x().dim(1), d = act.x().dim(2);
        be.axpy(dx, 1f, dOut);
        Tensor dMixerOut = arena.zeros(act.x().shape().dims());
        if (act.dropout() > 0) be.dropoutBackward(dMixerOut, dOut, act.dropout(), act.dropoutSeed());
        else be.axpy(dMixerOut, 1f, dOut);
        Tensor dNormed = arena.zeros(act.x().shape().dims());
        mixer.backward(arena, dNormed, dMixerOut, act.mixer());
        be.rmsNormBackward(dx.reshape(rows, d), normWeight.grad(), dNormed.reshape(rows, d), act.x().reshape(rows, d),
                normWeight.value(), act.rstd());
    }
}
