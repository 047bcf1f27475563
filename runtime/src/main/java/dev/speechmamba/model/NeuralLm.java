package dev.speechmamba.model;

import dev.speechmamba.backend.Backend;
import dev.speechmamba.tensor.Tensor;
import dev.speechmamba.train.Checkpoint;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * A causal Transformer language model over an ASR model's BPE pieces, for shallow fusion in beam search beside (or
 * instead of) the n-gram LM: it sees the whole sentence so far where a 6-gram over pieces sees two or three words.
 * The same blocks as the Transformer decoder without its cross-attention:
 *
 * <pre>
 * ids (B, L) → Embedding·√d + sinusoidal positions → [causal self-attention → FFN] × layers (pre-LN residuals)
 *            → LayerNorm → Linear(d → V)
 * </pre>
 *
 * Input rows are {@code <sos>} + a sentence's pieces, targets the pieces + {@code <eos>} (one id for both, as the ASR
 * decoder has). Weights are immutable at inference; per-hypothesis keys and values live in a {@link DecoderState}.
 */
public final class NeuralLm implements AutoCloseable {
    private final NeuralLmConfig cfg;
    private final ParameterSet params;
    private final TokenEmbedding embedding;
    private final BlockStack blocks = new BlockStack(10_000);
    private final Norm norm;
    private final Linear head;

    public NeuralLm(Backend backend, NeuralLmConfig cfg, long seed) {
        this.cfg = cfg;
        this.params = new ParameterSet(backend);
        SplittableRandom rng = new SplittableRandom(seed);
        int d = cfg.dModel(), v = cfg.vocabSize();
        embedding = new TokenEmbedding(params, "lm.embedding.weight", v, d, rng);
        for (int l = 0; l < cfg.layers(); l++) {
            String pre = "lm.layers." + l + ".";
            blocks.add(new AttentionBlock(params, pre + "self_attn.", AttentionBlock.Kind.CAUSAL_SELF, Norm.Kind.LAYER, d,
                    cfg.heads(), cfg.dropout(), rng));
            blocks.add(new FeedForwardBlock(params, pre + "ffn.", d, cfg.ffnDim(), cfg.dropout(), rng));
        }
        norm = new Norm(params, "lm.norm.", Norm.Kind.LAYER, d);
        head = new Linear(params, "lm.head.", d, v, true, rng);
        WeightInit.XAVIER.apply(params, new SplittableRandom(SequenceBlock.mix(seed, 0x1417)));
    }

    public NeuralLmConfig config() { return cfg; }

    public ParameterSet parameters() { return params; }

    public Backend backend() { return params.backend(); }

    // ------------------------------------------------------------------ whole sentences

    private record Forward(Tensor ids, float p, long seed, List<SequenceBlock.Activations> blocks,
                           Norm.Activations norm, Tensor logits) { }

    /**
     * @param tokens  (B, L) row-major input ids, any valid id past a row's length
     * @param lengths (B) valid inputs per row, each in [1, L]
     */
    private Forward forward(TensorArena arena, int[] tokens, int[] lengths, int len, boolean training, long seed) {
        Backend be = arena.backend();
        int b = lengths.length, d = cfg.dModel(), v = cfg.vocabSize();
        Tensor ids = arena.ints(tokens, b * len);                           // (B·L)
        Tensor h = embedding.forward(arena, ids, b, len);                   // (B, L, d)
        float p = training ? cfg.dropout() : 0f;
        long embedSeed = SequenceBlock.mix(seed, 2);
        if (p > 0) {
            Tensor dropped = arena.zeros(b, len, d);
            be.dropout(dropped, h, p, embedSeed);
            h = dropped;
        }
        SequenceBlock.Context ctx = new SequenceBlock.Context(arena.ints(lengths, b), null, null, -1);
        BlockStack.Activations stack = blocks.forward(arena, h, ctx, training, seed);
        Norm.Activations n = norm.forward(arena, stack.out());
        Tensor logits = arena.zeros(b, len, v);                             // (B, L, V)
        head.forward(be, logits.reshape(b * len, v), n.out().reshape(b * len, d));
        return new Forward(ids, p, embedSeed, stack.blocks(), n, logits);
    }

    /**
     * A batch's summed cross-entropy (natural log) over every target piece and {@code <eos>}.
     *
     * @param nats   Σ −ln P(target)
     * @param tokens targets scored (pieces plus one {@code <eos>} per sentence)
     */
    public record Loss(double nats, int tokens) {
        public double perToken() { return tokens == 0 ? 0 : nats / tokens; }
    }

    /** The loss without dropout or gradients. */
    public Loss loss(List<int[]> sentences) {
        try (TensorArena arena = new TensorArena(backend())) {
            return run(arena, sentences, false, 0, false, 0f);
        }
    }

    /**
     * Forward and backward: ACCUMULATES {@code gradScale}·∂(mean loss per target)/∂w into every parameter's gradient.
     */
    public Loss forwardBackward(List<int[]> sentences, boolean training, long seed, float gradScale) {
        try (TensorArena arena = new TensorArena(backend())) {
            return run(arena, sentences, training, seed, true, gradScale);
        }
    }

    /**
     * Natural-log probability of each sentence (its pieces, then {@code <eos>}) in one pass: what N-best rescoring
     * and tests need.
     */
    public double[] sentenceLogProbs(List<int[]> sentences) {
        double[] out = new double[sentences.size()];
        try (TensorArena arena = new TensorArena(backend())) {
            TeacherForcing batch = batch(sentences);
            float[] l = arena.backend().toHost(score(arena, batch, false, 0).losses());
            for (int r = 0; r < out.length; r++) {
                double sum = 0;
                for (int t = 0; t < batch.lengths()[r]; t++) sum -= l[r * batch.len() + t];
                out[r] = sum;
            }
        }
        return out;
    }

    private TeacherForcing batch(List<int[]> sentences) {
        if (sentences.isEmpty()) throw new IllegalArgumentException("neural LM: empty batch");
        int v = cfg.vocabSize(), sos = cfg.sosEos();
        for (int r = 0; r < sentences.size(); r++) {
            for (int id : sentences.get(r)) {
                if (id < 0 || id >= v || id == sos) {
                    throw new IllegalArgumentException("neural LM: piece id " + id + " in sentence " + r + " outside [0, " + v
                            + ") or <sos/eos> (" + sos + ")");
                }
            }
        }
        return TeacherForcing.of(sentences, sos);
    }

    /** The forward pass of a batch and each position's cross-entropy against its targets. */
    private record Scored(Forward forward, Tensor logits, Tensor targets, Tensor losses) { }

    private Scored score(TensorArena arena, TeacherForcing batch, boolean training, long seed) {
        int n = batch.out().length, v = cfg.vocabSize();
        Forward f = forward(arena, batch.in(), batch.lengths(), batch.len(), training, seed);
        Tensor targets = arena.ints(batch.out(), n);                         // (B·L)
        Tensor losses = arena.zeros(n);                                      // (B·L)
        Tensor logits = f.logits().reshape(n, v);
        arena.backend().crossEntropy(losses, logits, targets, 0f, AsrModel.IGNORE);
        return new Scored(f, logits, targets, losses);
    }

    private Loss run(TensorArena arena, List<int[]> sentences, boolean training, long seed, boolean backward, float gradScale) {
        Backend be = arena.backend();
        TeacherForcing batch = batch(sentences);
        int b = sentences.size(), len = batch.len(), v = cfg.vocabSize(), d = cfg.dModel(), n = b * len;
        Scored scored = score(arena, batch, training, seed);
        Forward f = scored.forward();
        Tensor logits = scored.logits(), targets = scored.targets();
        double sum = 0;
        for (float x : be.toHost(scored.losses())) sum += x;
        if (backward) {
            Tensor dLogits = arena.zeros(n, v);
            be.crossEntropyBackward(dLogits, arena.floats(Init.constant(n, gradScale / batch.targets()), n), logits, targets, 0f, AsrModel.IGNORE);
            Tensor dNormed = arena.zeros(b, len, d);
            head.backward(be, dNormed.reshape(n, d), dLogits, f.norm().out().reshape(n, d));
            Tensor dh = arena.zeros(b, len, d);
            norm.backward(arena, dh, dNormed, f.norm());
            dh = blocks.backward(arena, dh, null, f.blocks());
            if (f.p() > 0) {
                Tensor dEmbedded = arena.zeros(b, len, d);
                be.dropoutBackward(dEmbedded, dh, f.p(), f.seed());
                dh = dEmbedded;
            }
            embedding.backward(be, dh, f.ids(), n);
        }
        return new Loss(sum, batch.targets());
    }

    // ------------------------------------------------------------------ one piece at a time

    /** The keys and values before any piece, for {@code rows} hypotheses of equal length ({@link DecoderState#selectRows} keeps the best). */
    public DecoderState start(int rows) { return DecoderState.start(backend(), blocks.blocks(), rows); }

    /**
     * Feeds one piece per row at the next position; returns the next-piece logits (rows, V) in {@code arena}, what
     * the whole-sentence pass gives at that position.
     */
    public Tensor step(TensorArena arena, DecoderState state, int[] tokens) {
        Backend be = arena.backend();
        int rows = state.rows(), d = cfg.dModel(), v = cfg.vocabSize();
        if (tokens.length != rows) throw new IllegalArgumentException("neural LM step: " + tokens.length + " tokens for " + rows + " rows");
        for (int i = 0; i < rows; i++) {
            if (tokens[i] < 0 || tokens[i] >= v) {
                throw new IllegalArgumentException("neural LM step: token " + tokens[i] + " of row " + i + " outside [0, " + v + ")");
            }
        }
        Tensor h = embedding.step(arena, tokens, state.position());         // (B, 1, d)
        int[] ones = new int[rows];
        Arrays.fill(ones, 1);
        h = state.step(arena, blocks.blocks(), h, new SequenceBlock.Context(arena.ints(ones, rows), null, null, -1));
        Norm.Activations n = norm.forward(arena, h);
        Tensor logits = arena.zeros(rows, v);                                // (B, V)
        head.forward(be, logits, n.out().reshape(rows, d));
        return logits;
    }

    // ------------------------------------------------------------------ files

    /** The weights and config (under {@link Checkpoint#CONFIG}) plus {@code metadata}, on the host. */
    public Checkpoint toCheckpoint(Map<String, String> metadata) {
        Map<String, String> meta = new LinkedHashMap<>(metadata);
        meta.put(Checkpoint.CONFIG, cfg.toJson());
        return new Checkpoint(params.toHost(), meta);
    }

    public static NeuralLm fromCheckpoint(Backend backend, Checkpoint checkpoint) {
        String json = checkpoint.config().orElseThrow(() -> new IllegalArgumentException(
                "neural LM file has no config (metadata '" + Checkpoint.CONFIG + "')"));
        NeuralLm lm = new NeuralLm(backend, NeuralLmConfig.fromJson(json), 0);
        try {
            lm.params.load(checkpoint.modelWeights());
            return lm;
        } catch (RuntimeException e) {
            lm.close();
            throw e;
        }
    }

    @Override public void close() { params.close(); }
}
