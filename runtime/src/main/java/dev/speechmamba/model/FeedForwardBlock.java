package dev.speechmamba.model;

import dev.speechmamba.backend.Backend;
import dev.speechmamba.backend.Unary;
import dev.speechmamba.tensor.Tensor;

import java.util.SplittableRandom;

/**
 * The Transformer's pre-norm position-wise feed-forward block:
 * {@code x + Dropout(W2 · Dropout(ReLU(W1 · LayerNorm(x))))}, as ESPnet's PositionwiseFeedForward.
 */
final class FeedForwardBlock implements SequenceBlock {
    private final Norm norm;
    private final Linear w1, w2;
    private final float dropout;

    FeedForwardBlock(ParameterSet params, String prefix, int d, int hidden, float dropout, SplittableRandom rng) {
        this.norm = new Norm(params, prefix + "norm.", Norm.Kind.LAYER, d);
        this.w1 = new Linear(params, prefix + "w_1.", d, hidden, true, rng);
        this.w2 = new Linear(params, prefix + "w_2.", hidden, d, true, rng);
        this.dropout = dropout;
    }

    private record Act(Norm.Activations norm, Tensor preActivation, Tensor hidden, Tensor hiddenDropped, Tensor projected,
                       float p, long seed, Tensor out) implements Activations { }

    @Override
    public void startAsIdentity(Backend be) { w2.zero(be); }

    @Override
    public Activations forward(TensorArena arena, Tensor x, Context ctx, boolean training, long seed) {
        Backend be = arena.backend();
        int rows = x.dim(0) * x.dim(1), d = x.dim(2), h = w1.outFeatures();
        Norm.Activations n = norm.forward(arena, x);
        Tensor pre = arena.zeros(rows, h);                                  // (B·T, H)
        w1.forward(be, pre, n.out().reshape(rows, d));
        Tensor hidden = arena.zeros(rows, h);                               // (B·T, H)
        be.unary(Unary.RELU, hidden, pre);
        float p = training ? dropout : 0f;
        Tensor hiddenDropped = hidden;
        if (p > 0) {
            hiddenDropped = arena.zeros(rows, h);
            be.dropout(hiddenDropped, hidden, p, SequenceBlock.mix(seed, 1));
        }
        Tensor projected = arena.zeros(x.shape().dims());                   // (B, T, d)
        w2.forward(be, projected.reshape(rows, d), hiddenDropped);
        Tensor out = arena.zeros(x.shape().dims());                         // (B, T, d)
        if (p > 0) {
            Tensor dropped = arena.zeros(x.shape().dims());
            be.dropout(dropped, projected, p, SequenceBlock.mix(seed, 2));
            be.add(out, x, dropped);
        } else {
            be.add(out, x, projected);
        }
        return new Act(n, pre, hidden, hiddenDropped, projected, p, seed, out);
    }

    @Override
    public void backward(TensorArena arena, Tensor dx, Tensor dMemory, Tensor dOut, Activations activations) {
        Act act = (Act) activations;
        Backend be = arena.backend();
        int rows = dOut.dim(0) * dOut.dim(1), d = dOut.dim(2), h = w1.outFeatures();
        be.axpy(dx, 1f, dOut);
        Tensor dProjected = arena.zeros(dOut.shape().dims());
        if (act.p() > 0) be.dropoutBackward(dProjected, dOut, act.p(), SequenceBlock.mix(act.seed(), 2));
        else be.axpy(dProjected, 1f, dOut);
        Tensor dHiddenDropped = arena.zeros(rows, h);
        w2.backward(be, dHiddenDropped, dProjected.reshape(rows, d), act.hiddenDropped());
        Tensor dHidden = dHiddenDropped;
        if (act.p() > 0) {
            dHidden = arena.zeros(rows, h);
            be.dropoutBackward(dHidden, dHiddenDropped, act.p(), SequenceBlock.mix(act.seed(), 1));
        }
        Tensor dPre = arena.zeros(rows, h);
        be.unaryBackward(Unary.RELU, dPre, dHidden, act.preActivation());
        Tensor dNormed = arena.zeros(dOut.shape().dims());
        w1.backward(be, dNormed.reshape(rows, d), dPre, act.norm().out().reshape(rows, d));
        norm.backward(arena, dx, dNormed, act.norm());
    }
}
