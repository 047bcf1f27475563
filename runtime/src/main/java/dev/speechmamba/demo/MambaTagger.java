package dev.speechmamba.demo;

import dev.speechmamba.backend.Backend;
import dev.speechmamba.model.MambaBlock;
import dev.speechmamba.model.MambaConfig;
import dev.speechmamba.model.ParameterSet;
import dev.speechmamba.model.Init;
import dev.speechmamba.model.TensorArena;
import dev.speechmamba.tensor.Tensor;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * A token tagger made of Mamba blocks: embedding → blocks → RMSNorm → linear head, one prediction
 * per input position. Small enough to train in seconds; it exercises every operation of the Mamba
 * path (GEMMs, conv1d, SiLU, selective scan, RMSNorm, dropout, embedding, cross-entropy, Adam).
 */
public final class MambaTagger implements AutoCloseable {
    private final ParameterSet params;
    private final List<MambaBlock> blocks = new ArrayList<>();
    private final int vocabulary;
    private final MambaConfig cfg;

    public MambaTagger(Backend backend, int vocabulary, MambaConfig cfg, int layers, float dropout, long seed) {
        this.params = new ParameterSet(backend);
        this.vocabulary = vocabulary;
        this.cfg = cfg;
        SplittableRandom rng = new SplittableRandom(seed);
        int d = cfg.dModel();
        params.add("embedding.weight", Init.normal(rng, vocabulary * d, 1.0), vocabulary, d);
        for (int l = 0; l < layers; l++) blocks.add(new MambaBlock(params, "blocks." + l + ".", cfg, dropout, rng));
        params.add("norm_f.weight", Init.constant(d, 1f), d);
        params.add("head.weight", Init.uniform(rng, vocabulary * d, 1 / Math.sqrt(d)), vocabulary, d);
    }

    public ParameterSet parameters() { return params; }

    public int vocabulary() { return vocabulary; }

    public MambaConfig config() { return cfg; }

    public int layers() { return blocks.size(); }

    /** Everything the forward pass produced that backward needs. */
    public record Pass(Tensor ids, Tensor embedded, List<MambaBlock.Activations> blocks, Tensor normed, Tensor rstd,
                       Tensor logits) { }

    /**
     * @param ids (batch·length) I32 token ids
     * @return logits (batch·length, V)
     */
    public Pass forward(TensorArena arena, int[] ids, int batch, int length, boolean training, long seed) {
        Backend be = arena.backend();
        int d = cfg.dModel(), rows = batch * length;
        Tensor idT = arena.ints(ids, rows);
        Tensor x = arena.zeros(batch, length, d);                       // (B, T, d)
        be.embedding(x.reshape(rows, d), idT, params.get("embedding.weight").value());
        List<MambaBlock.Activations> acts = new ArrayList<>();
        Tensor h = x;
        for (int l = 0; l < blocks.size(); l++) {
            MambaBlock.Activations a = blocks.get(l).forward(arena, h, null, training, seed * 1_000_003L + l);
            acts.add(a);
            h = a.out();
        }
        Tensor normed = arena.zeros(rows, d);                            // (B·T, d)
        Tensor rstd = arena.zeros(rows);
        be.rmsNorm(normed, rstd, h.reshape(rows, d), params.get("norm_f.weight").value(), 1e-5f);
        Tensor logits = arena.zeros(rows, vocabulary);                   // (B·T, V)
        be.matmul(logits, normed, false, params.get("head.weight").value(), true, 1f, 0f);
        return new Pass(idT, x, acts, normed, rstd, logits);
    }

    /** Accumulates all weight gradients given dLogits (B·T, V). */
    public void backward(TensorArena arena, Pass pass, Tensor dLogits) {
        Backend be = arena.backend();
        int rows = pass.logits().dim(0), d = cfg.dModel();
        Tensor dNormed = arena.zeros(rows, d);
        be.matmulBackward(dNormed, params.get("head.weight").grad(), dLogits, pass.normed(), false,
                params.get("head.weight").value(), true);
        Tensor last = pass.blocks().isEmpty() ? pass.embedded() : pass.blocks().getLast().out();
        Tensor dh = arena.zeros(last.shape().dims());
        be.rmsNormBackward(dh.reshape(rows, d), params.get("norm_f.weight").grad(), dNormed, last.reshape(rows, d),
                params.get("norm_f.weight").value(), pass.rstd());
        for (int l = blocks.size() - 1; l >= 0; l--) {
            Tensor dIn = arena.zeros(last.shape().dims());
            blocks.get(l).backward(arena, dIn, dh, pass.blocks().get(l));
            dh = dIn;
        }
        be.embeddingBackward(params.get("embedding.weight").grad(), dh.reshape(rows, d), pass.ids());
    }

    @Override public void close() { params.close(); }
}
