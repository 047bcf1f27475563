package dev.speechmamba.model;

import dev.speechmamba.backend.Backend;
import dev.speechmamba.tensor.Tensor;
import dev.speechmamba.train.Checkpoint;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;

/**
 * The joint CTC/attention encoder–decoder of Speech-Mamba (Gao &amp; Chen, SLT 2024) and its Transformer
 * baseline, with explicit forward and backward passes over any {@link Backend}.
 *
 * <pre>
 * features (B, T, F) → {@link ConvFrontEnd} (4× subsampling) → (B, T', d)
 * Speech-Mamba encoder layer:  Mamba → x + Dropout(MHA(RMSNorm(x)), key padding) → Mamba
 * Transformer encoder layer:   x + Dropout(MHA(LN(x))) → x + Dropout(FFN(LN(x)))
 * → LayerNorm → memory (B, T', d) → CTC head Linear(d → V)
 * tokens &lt;sos&gt;+y → Embedding·√d + positions → Dropout
 * Speech-Mamba decoder layer:  Mamba → t + Dropout(CrossAttn(RMSNorm(t), memory)) → Mamba
 * Transformer decoder layer:   causal self-attention → cross-attention → FFN (pre-LN residuals)
 * → LayerNorm → decoder head Linear(d → V)
 * loss = λ·Σ CTC / B + (1-λ)·Σ CE(y+&lt;eos&gt;) / B   (ESPnet's normalisation: per utterance)
 * </pre>
 * Vocabulary convention: id 0 is the CTC blank, id V-1 is &lt;sos&gt;/&lt;eos&gt;; targets use ids 1..V-2 (the layout
 * of {@link dev.speechmamba.text.BpeTokenizer}: its {@code sosEosId()} is always {@code vocabSize() - 1}).
 * Weights live in {@link #parameters()}; activations of one step in a {@link TensorArena}.
 */
public final class AsrModel implements AutoCloseable {
    /** Target value of decoder positions that carry no loss. */
    public static final int IGNORE = -1;

    private final ModelConfig cfg;
    private final ParameterSet params;
    private final ConvFrontEnd frontEnd;
    private final BlockStack encoderBlocks = new BlockStack(100);
    private final Norm encoderNorm;
    private final Linear ctcHead;
    private final TokenEmbedding embedding;
    private final BlockStack decoderBlocks = new BlockStack(10_000);
    private final Norm decoderNorm;
    private final Linear decoderHead;
    private volatile int encoderAttentionWindow = -1;
    private volatile int encoderGlobalTokens = 0;

    /** Builds the model of {@code cfg} with weights drawn from {@code seed}. */
    public AsrModel(Backend backend, ModelConfig cfg, long seed) {
        this.cfg = cfg;
        this.params = new ParameterSet(backend);
        SplittableRandom rng = new SplittableRandom(seed);
        int d = cfg.dModel(), v = cfg.vocabSize(), h = cfg.heads();
        float p = cfg.dropout();
        frontEnd = new ConvFrontEnd(params, "front_end.", cfg.featureDim(), cfg.frontEndChannels(), d, p, rng);
        boolean mamba = cfg.architecture() == ModelConfig.Architecture.SPEECH_MAMBA;
        for (int l = 0; l < cfg.encoderLayers(); l++) {
            String pre = "encoder.layers." + l + ".";
            if (mamba) {
                encoderBlocks.add(new MambaSublayer(params, pre + "mamba1.", cfg.mamba(), p, rng));
                encoderBlocks.add(new AttentionBlock(params, pre + "self_attn.", AttentionBlock.Kind.SELF, Norm.Kind.RMS,
                        d, h, p, rng));
                encoderBlocks.add(new MambaSublayer(params, pre + "mamba2.", cfg.mamba(), p, rng));
            } else {
                encoderBlocks.add(new AttentionBlock(params, pre + "self_attn.", AttentionBlock.Kind.SELF,
                        Norm.Kind.LAYER, d, h, p, rng));
                encoderBlocks.add(new FeedForwardBlock(params, pre + "ffn.", d, cfg.ffnDim(), p, rng));
            }
        }
        encoderNorm = new Norm(params, "encoder.norm.", Norm.Kind.LAYER, d);
        ctcHead = new Linear(params, "ctc_head.", d, v, true, rng);
        embedding = new TokenEmbedding(params, "decoder.embedding.weight", v, d, rng);
        for (int l = 0; l < cfg.decoderLayers(); l++) {
            String pre = "decoder.layers." + l + ".";
            if (mamba) {
                decoderBlocks.add(new MambaSublayer(params, pre + "mamba1.", cfg.mamba(), p, rng));
                decoderBlocks.add(new AttentionBlock(params, pre + "cross_attn.", AttentionBlock.Kind.CROSS,
                        Norm.Kind.RMS, d, h, p, rng));
                decoderBlocks.add(new MambaSublayer(params, pre + "mamba2.", cfg.mamba(), p, rng));
            } else {
                decoderBlocks.add(new AttentionBlock(params, pre + "self_attn.", AttentionBlock.Kind.CAUSAL_SELF,
                        Norm.Kind.LAYER, d, h, p, rng));
                decoderBlocks.add(new AttentionBlock(params, pre + "cross_attn.", AttentionBlock.Kind.CROSS,
                        Norm.Kind.LAYER, d, h, p, rng));
                decoderBlocks.add(new FeedForwardBlock(params, pre + "ffn.", d, cfg.ffnDim(), p, rng));
            }
        }
        decoderNorm = new Norm(params, "decoder.norm.", Norm.Kind.LAYER, d);
        decoderHead = new Linear(params, "decoder_head.", d, v, true, rng);
        cfg.init().apply(params, new SplittableRandom(SequenceBlock.mix(seed, 0x1417)));
    }

    public ModelConfig config() { return cfg; }

    public ParameterSet parameters() { return params; }

    public Backend backend() { return params.backend(); }

    /**
     * Limits the encoder's self-attention to a sliding window: frame i attends to frames [i-W, i+W]
     * (after 4× subsampling, so W=256 is ±10 s of audio). The backends skip key blocks outside the window,
     * so attention cost becomes linear in length. A runtime setting, not part of the config or the
     * checkpoint: it applies to every later {@link #encode}, {@link #encodeForInference}, {@link #loss} and
     * {@link #forwardBackward} (training with a window), and a model trained with full attention may be run
     * with one. The decoder's attention is unaffected. Clears any global tokens; see
     * {@link #setEncoderAttentionWindow(int, int)}.
     *
     * @param frames W >= 0, or -1 for full attention (the default)
     */
    public void setEncoderAttentionWindow(int frames) { setEncoderAttentionWindow(frames, 0); }

    /**
     * A sliding window of ±W frames plus G global tokens (Longformer-style): frames 0..G-1 attend to every
     * frame and every frame attends to them, so a windowed encoder keeps a path to the whole recording. The cost
     * stays linear in length (G full rows and G extra keys per row).
     *
     * @param frames       W >= 0, or -1 for full attention
     * @param globalTokens G >= 0; G > 0 needs a window (W >= 0)
     */
    public void setEncoderAttentionWindow(int frames, int globalTokens) {
        if (frames < -1) {
            throw new IllegalArgumentException("encoder attention window must be >= 0 frames or -1 (full), got " + frames);
        }
        if (globalTokens < 0) {
            throw new IllegalArgumentException("encoder global tokens must be >= 0, got " + globalTokens);
        }
        if (globalTokens > 0 && frames < 0) {
            throw new IllegalArgumentException("encoder global tokens (" + globalTokens
                    + ") need an attention window; full attention already sees every frame");
        }
        synchronized (this) {
            encoderAttentionWindow = frames;
            encoderGlobalTokens = globalTokens;
        }
    }

    /** The encoder self-attention window W (±W frames), or -1 for full attention. */
    public int encoderAttentionWindow() { return encoderAttentionWindow; }

    /** The encoder's global tokens G (0 for none). */
    public int encoderGlobalTokens() { return encoderGlobalTokens; }

    /** The encoder's context from one consistent reading of the window settings. */
    private synchronized SequenceBlock.Context encoderContext(Tensor lengths) {
        return new SequenceBlock.Context(lengths, null, null, encoderAttentionWindow, encoderGlobalTokens);
    }

    // ------------------------------------------------------------------ encoder

    /**
     * What the encoder produced. From {@link #encodeForInference} frontEnd is null and blocks is empty
     * (nothing is kept for backward).
     *
     * @param out         (B, T', d) encoder output after the final LayerNorm (the decoder's memory)
     * @param lengths     (B) I32 valid output frames
     * @param hostLengths the same lengths on the host
     * @param ctcLogits   (B, T', V) CTC head logits
     */
    public record Encoded(ConvFrontEnd.Activations frontEnd, List<SequenceBlock.Activations> blocks,
                          Norm.Activations norm, Tensor out, Tensor lengths, int[] hostLengths, Tensor ctcLogits) {
        public int batch() { return out.dim(0); }

        public int frames() { return out.dim(1); }
    }

    /** Runs front end, encoder and CTC head over padded features (B, T, F), keeping every activation for backward. */
    public Encoded encode(TensorArena arena, AsrBatch batch, boolean training, long seed) {
        Backend be = arena.backend();
        int b = batch.batch(), d = cfg.dModel();
        Tensor features = uploadFeatures(arena, batch);                     // (B, T, F)
        int[] outLengths = outputLengths(batch);
        Tensor lengths = arena.ints(outLengths, b);                         // (B)
        ConvFrontEnd.Activations fe = frontEnd.forward(arena, features, batch.frameLengths(), training,
                SequenceBlock.mix(seed, 1));
        SequenceBlock.Context ctx = encoderContext(lengths);
        BlockStack.Activations stack = encoderBlocks.forward(arena, fe.out(), ctx, training, seed);
        List<SequenceBlock.Activations> acts = stack.blocks();
        Tensor h = stack.out();
        Norm.Activations norm = encoderNorm.forward(arena, h);
        int tOut = h.dim(1), v = cfg.vocabSize();
        Tensor ctcLogits = arena.zeros(b, tOut, v);                         // (B, T', V)
        ctcHead.forward(be, ctcLogits.reshape(b * tOut, v), norm.out().reshape(b * tOut, d));
        return new Encoded(fe, acts, norm, norm.out(), lengths, outLengths, ctcLogits);
    }

    /**
     * The same outputs as {@code encode(arena, batch, false, seed)} with activation memory of about two
     * layers instead of all of them: each layer runs in a {@link TensorArena#child()} that is closed once
     * its output is copied out. The result has no front-end or block activations, so it cannot be passed
     * to backward; {@code out}, {@code lengths} and {@code ctcLogits} live in {@code arena}. This is the
     * path for long recordings (an hour is ~90 000 frames).
     */
    public Encoded encodeForInference(TensorArena arena, AsrBatch batch) {
        Backend be = arena.backend();
        int b = batch.batch(), d = cfg.dModel();
        Tensor features = uploadFeatures(arena, batch);                     // (B, T, F)
        int[] outLengths = outputLengths(batch);
        Tensor lengths = arena.ints(outLengths, b);                         // (B)
        SequenceBlock.Context ctx = encoderContext(lengths);
        TensorArena current = arena.child();
        try {
            Tensor h;
            try (TensorArena step = arena.child()) {
                ConvFrontEnd.Activations fe = frontEnd.forward(step, features, batch.frameLengths(), false, 0);
                h = current.zeros(fe.out().shape().dims());                 // (B, T', d)
                be.copy(h, fe.out());
            }
            for (SequenceBlock block : encoderBlocks.blocks()) {
                TensorArena next = arena.child();
                try (TensorArena step = arena.child()) {
                    SequenceBlock.Activations a = block.forward(step, h, ctx, false, 0);
                    Tensor copied = next.zeros(h.shape().dims());           // (B, T', d)
                    be.copy(copied, a.out());
                    h = copied;
                } catch (RuntimeException | Error e) {
                    next.close();
                    throw e;
                }
                current.close();
                current = next;
            }
            Norm.Activations norm = encoderNorm.forward(arena, h);
            int tOut = h.dim(1), v = cfg.vocabSize();
            Tensor ctcLogits = arena.zeros(b, tOut, v);                     // (B, T', V)
            ctcHead.forward(be, ctcLogits.reshape(b * tOut, v), norm.out().reshape(b * tOut, d));
            return new Encoded(null, List.of(), norm, norm.out(), lengths, outLengths, ctcLogits);
        } finally {
            current.close();
        }
    }

    /** Features (B, T, F) on the backend with every frame past a row's length zeroed (the front end expects it). */
    private Tensor uploadFeatures(TensorArena arena, AsrBatch batch) {
        if (batch.featureDim() != cfg.featureDim()) {
            throw new IllegalArgumentException("encode: features have " + batch.featureDim() + " bins, model '"
                    + cfg.name() + "' expects " + cfg.featureDim());
        }
        int b = batch.batch(), t = batch.frames(), f = batch.featureDim();
        float[] padded = batch.features().clone();
        for (int r = 0; r < b; r++) Arrays.fill(padded, (r * t + batch.frameLengths()[r]) * f, (r + 1) * t * f, 0f);
        return arena.floats(padded, b, t, f);
    }

    private static int[] outputLengths(AsrBatch batch) {
        int[] outLengths = new int[batch.batch()];
        for (int r = 0; r < outLengths.length; r++) outLengths[r] = ConvFrontEnd.outputFrames(batch.frameLengths()[r]);
        return outLengths;
    }

    // ------------------------------------------------------------------ decoder

    /**
     * What the decoder produced.
     *
     * @param tokens       (B·L) I32 decoder input ids
     * @param tokenLengths (B) I32 valid inputs per row
     * @param logits       (B, L, V) next-token logits
     */
    public record Decoded(Tensor tokens, Tensor tokenLengths, float p, long seed,
                          List<SequenceBlock.Activations> blocks, Norm.Activations norm, Tensor logits) { }

    /**
     * Runs the attention decoder over token prefixes against an encoder output: of batch B, one per row, or of
     * batch 1, attended to by every row (inference: beam search's hypotheses over one segment).
     *
     * @param tokens       (B, L) row-major input ids (start with &lt;sos&gt;), any valid id past a row's length
     * @param tokenLengths (B) valid inputs per row, each in [1, L]
     */
    public Decoded decode(TensorArena arena, Encoded memory, int[] tokens, int[] tokenLengths, int maxLength,
                          boolean training, long seed) {
        return decode(arena, memory, tokens, tokenLengths, maxLength, training, seed, null);
    }

    /**
     * The cross-attention keys and values of every decoder layer for {@code memory}, to pass to {@link #decode}
     * whenever it runs over the same encoder output again (inference: the steps of a beam search).
     */
    public CrossAttentionCache projectDecoderMemory(TensorArena arena, Encoded memory) {
        CrossAttentionCache cache = new CrossAttentionCache(memory.out());
        for (SequenceBlock block : decoderBlocks.blocks()) block.projectMemory(arena, memory.out(), cache);
        return cache;
    }

    /** {@link #decode} with cross-attention keys and values from {@code cache} (made for this memory), or null. */
    public Decoded decode(TensorArena arena, Encoded memory, int[] tokens, int[] tokenLengths, int maxLength,
                          boolean training, long seed, CrossAttentionCache cache) {
        if (cache != null && cache.memory() != memory.out()) {
            throw new IllegalArgumentException("decode: the cross-attention cache was projected from another encoder output");
        }
        Backend be = arena.backend();
        int b = tokenLengths.length, len = maxLength, d = cfg.dModel(), v = cfg.vocabSize();
        if (memory.batch() != b && memory.batch() != 1) {
            throw new IllegalArgumentException("decode: " + b + " rows of tokens for an encoder output of batch "
                    + memory.batch() + " (1 is shared by every row)");
        }
        if (tokens.length != b * len) {
            throw new IllegalArgumentException("decode: expected " + b + "·" + len + " tokens for " + b + " lengths, got "
                    + tokens.length);
        }
        for (int i = 0; i < tokens.length; i++) {
            if (tokens[i] < 0 || tokens[i] >= v) {
                throw new IllegalArgumentException("decode: token " + tokens[i] + " at " + i + " outside [0, " + v + ")");
            }
        }
        for (int r = 0; r < b; r++) {
            if (tokenLengths[r] < 1 || tokenLengths[r] > len) {
                throw new IllegalArgumentException("decode: row " + r + " length " + tokenLengths[r] + " outside [1, " + len + "]");
            }
        }
        Tensor ids = arena.ints(tokens, b * len);                           // (B·L)
        Tensor lengths = arena.ints(tokenLengths, b);                       // (B)
        Tensor withPositions = embedding.forward(arena, ids, b, len);       // (B, L, d)
        float p = training ? cfg.dropout() : 0f;
        long embedSeed = SequenceBlock.mix(seed, 2);
        Tensor h = withPositions;
        if (p > 0) {
            h = arena.zeros(b, len, d);
            be.dropout(h, withPositions, p, embedSeed);
        }
        SequenceBlock.Context ctx = new SequenceBlock.Context(lengths, memory.out(), memory.lengths(), -1, 0, cache);
        BlockStack.Activations stack = decoderBlocks.forward(arena, h, ctx, training, seed);
        Norm.Activations norm = decoderNorm.forward(arena, stack.out());
        Tensor logits = arena.zeros(b, len, v);                             // (B, L, V)
        decoderHead.forward(be, logits.reshape(b * len, v), norm.out().reshape(b * len, d));
        return new Decoded(ids, lengths, p, embedSeed, stack.blocks(), norm, logits);
    }

    // ------------------------------------------------------------------ decoding one token at a time

    /**
     * Whether {@link #decodeStep} works for this model: every decoder block runs one position at a time
     * (Mamba blocks carry their conv and scan state, causal self-attention its keys and values, cross-attention
     * and feed-forward blocks are position-wise): true for both architectures built here.
     */
    public boolean decodesIncrementally() {
        return decoderBlocks.blocks().stream().allMatch(SequenceBlock::steppable);
    }

    /** The decoder's state before any token, for {@code rows} hypotheses. */
    public DecoderState startDecoding(int rows) {
        requireIncremental();
        return DecoderState.start(backend(), decoderBlocks.blocks(), rows);
    }

    /** A new state holding rows {@code parents} of {@code state}, in that order; {@code state} stays open. */
    public DecoderState selectRows(DecoderState state, int[] parents) {
        return state.selectRows(parents);
    }

    /**
     * Feeds one token per row at the next position and returns the next-token logits (rows, V) in {@code arena}:
     * what {@link #decode} gives at the last position of the whole prefix, at a cost independent of its length.
     *
     * @param memory (rows, S, d) encoder output each row attends to, or (1, S, d) that every row attends to
     * @param cache  its projected cross-attention keys and values ({@link #projectDecoderMemory}), or null
     * @param tokens (rows) the token each row consumes (&lt;sos&gt; first)
     */
    public Tensor decodeStep(TensorArena arena, Encoded memory, CrossAttentionCache cache, DecoderState state, int[] tokens) {
        requireIncremental();
        Backend be = arena.backend();
        int rows = state.rows(), d = cfg.dModel(), v = cfg.vocabSize(), t = state.position();
        if (tokens.length != rows || (memory.batch() != rows && memory.batch() != 1)) {
            throw new IllegalArgumentException("decodeStep: " + tokens.length + " tokens and an encoder output of batch "
                    + memory.batch() + " for a state of " + rows + " rows (an output of batch 1 is shared by every row)");
        }
        if (cache != null && cache.memory() != memory.out()) {
            throw new IllegalArgumentException("decodeStep: the cross-attention cache was projected from another encoder output");
        }
        for (int i = 0; i < rows; i++) {
            if (tokens[i] < 0 || tokens[i] >= v) {
                throw new IllegalArgumentException("decodeStep: token " + tokens[i] + " of row " + i + " outside [0, " + v + ")");
            }
        }
        Tensor h = embedding.step(arena, tokens, t);                         // (B, 1, d)
        int[] ones = new int[rows];
        java.util.Arrays.fill(ones, 1);
        SequenceBlock.Context ctx = new SequenceBlock.Context(arena.ints(ones, rows), memory.out(), memory.lengths(), -1, 0,
                cache);
        h = state.step(arena, decoderBlocks.blocks(), h, ctx);
        Norm.Activations norm = decoderNorm.forward(arena, h);
        Tensor logits = arena.zeros(rows, v);                                // (B, V)
        decoderHead.forward(be, logits, norm.out().reshape(rows, d));
        return logits;
    }

    private void requireIncremental() {
        if (!decodesIncrementally()) {
            throw new IllegalStateException(cfg.name() + ": this decoder has a block that cannot run one position at a "
                    + "time; decode whole prefixes with decode()");
        }
    }

    // ------------------------------------------------------------------ loss

    /**
     * One batch's joint loss.
     *
     * @param loss      λ·ctc + (1-λ)·attention
     * @param ctc       Σ CTC loss / B (rows without a valid alignment count 0)
     * @param attention Σ cross-entropy over target tokens and &lt;eos&gt; / B
     * @param tokens    decoder targets (target tokens plus one &lt;eos&gt; per row)
     * @param correct   decoder targets whose argmax prediction is right
     */
    public record Loss(double loss, double ctc, double attention, int utterances, int tokens, int correct) {
        public double accuracy() { return tokens == 0 ? 0 : (double) correct / tokens; }
    }

    /** The loss in evaluation mode (no dropout), without gradients. */
    public Loss loss(AsrBatch batch) {
        try (TensorArena arena = new TensorArena(backend())) {
            return run(arena, batch, false, 0, false, 0f);
        }
    }

    /**
     * Forward and backward: ACCUMULATES {@code gradScale}·∂loss/∂w into every parameter's gradient
     * (zero them first; gradScale = 1/k averages k accumulated micro-batches).
     */
    public Loss forwardBackward(AsrBatch batch, boolean training, long seed, float gradScale) {
        try (TensorArena arena = new TensorArena(backend())) {
            return run(arena, batch, training, seed, true, gradScale);
        }
    }

    private Loss run(TensorArena arena, AsrBatch batch, boolean training, long seed, boolean backward, float gradScale) {
        if (batch.targets() == null) throw new IllegalArgumentException("loss: the batch has no targets");
        Backend be = arena.backend();
        int b = batch.batch(), v = cfg.vocabSize(), sos = cfg.sosEos();
        int longest = 0;
        for (int r = 0; r < b; r++) {
            int[] y = batch.targets()[r];
            for (int id : y) {
                if (id < 1 || id >= sos) {
                    throw new IllegalArgumentException("loss: target id " + id + " in row " + r + " outside [1, " + (sos - 1)
                            + "] (0 is the blank, " + sos + " is <sos/eos>)");
                }
            }
            longest = Math.max(longest, y.length);
        }
        // CTC targets (B, S) padded with a harmless label; the decoder's input and output as teacher forcing lays them out.
        int s = Math.max(1, longest);
        int[] ctcTargets = new int[b * s], targetLengths = new int[b];
        Arrays.fill(ctcTargets, 1);
        for (int r = 0; r < b; r++) {
            int[] y = batch.targets()[r];
            System.arraycopy(y, 0, ctcTargets, r * s, y.length);
            targetLengths[r] = y.length;
        }
        TeacherForcing forced = TeacherForcing.of(Arrays.asList(batch.targets()), sos);
        int len = forced.len(), tokens = forced.targets();
        int[] decoderIn = forced.in(), decoderOut = forced.out(), decoderLengths = forced.lengths();
        Encoded enc = encode(arena, batch, training, SequenceBlock.mix(seed, 11));
        Decoded dec = decode(arena, enc, decoderIn, decoderLengths, len, training, SequenceBlock.mix(seed, 12));

        Tensor ctcTargetT = arena.ints(ctcTargets, b, s);
        Tensor targetLengthT = arena.ints(targetLengths, b);
        Tensor ctcLosses = arena.zeros(b);                                   // (B)
        be.ctcLoss(ctcLosses, enc.ctcLogits(), enc.lengths(), ctcTargetT, targetLengthT, true);
        Tensor decoderTargets = arena.ints(decoderOut, b * len);             // (B·L)
        Tensor decoderLogits = dec.logits().reshape(b * len, v);
        Tensor ceLosses = arena.zeros(b * len);                              // (B·L)
        be.crossEntropy(ceLosses, decoderLogits, decoderTargets, cfg.labelSmoothing(), IGNORE);
        double ctcSum = 0, ceSum = 0;
        for (float x : be.toHost(ctcLosses)) ctcSum += x;
        for (float x : be.toHost(ceLosses)) ceSum += x;
        int correct = countCorrect(be.toHost(dec.logits()), decoderOut, v);
        double lambda = cfg.ctcWeight();
        Loss result = new Loss(lambda * ctcSum / b + (1 - lambda) * ceSum / b, ctcSum / b, ceSum / b, b, tokens, correct);
        if (backward) backward(arena, enc, dec, ctcTargetT, targetLengthT, decoderTargets, gradScale);
        return result;
    }

    private static int countCorrect(float[] logits, int[] targets, int v) {
        int correct = 0;
        for (int i = 0; i < targets.length; i++) {
            if (targets[i] == IGNORE) continue;
            int best = 0;
            for (int k = 1; k < v; k++) if (logits[i * v + k] > logits[i * v + best]) best = k;
            if (best == targets[i]) correct++;
        }
        return correct;
    }

    private void backward(TensorArena arena, Encoded enc, Decoded dec, Tensor ctcTargets, Tensor targetLengths,
                          Tensor decoderTargets, float gradScale) {
        Backend be = arena.backend();
        int b = enc.batch(), frames = enc.frames(), len = dec.logits().dim(1), d = cfg.dModel(), v = cfg.vocabSize();
        float lambda = cfg.ctcWeight();

        Tensor dCtcLogits = arena.zeros(b, frames, v);
        be.ctcLossBackward(dCtcLogits, arena.floats(Init.constant(b, lambda * gradScale / b), b), enc.ctcLogits(),
                enc.lengths(), ctcTargets, targetLengths, true);
        Tensor dDecoderLogits = arena.zeros(b * len, v);
        be.crossEntropyBackward(dDecoderLogits, arena.floats(Init.constant(b * len, (1 - lambda) * gradScale / b), b * len),
                dec.logits().reshape(b * len, v), decoderTargets, cfg.labelSmoothing(), IGNORE);

        // Decoder, accumulating the cross-attention gradient into dMemory.
        Tensor dMemory = arena.zeros(b, frames, d);                          // (B, T', d)
        Tensor dDecoderNormed = arena.zeros(b, len, d);
        decoderHead.backward(be, dDecoderNormed.reshape(b * len, d), dDecoderLogits, dec.norm().out().reshape(b * len, d));
        Tensor dh = arena.zeros(b, len, d);
        decoderNorm.backward(arena, dh, dDecoderNormed, dec.norm());
        dh = decoderBlocks.backward(arena, dh, dMemory, dec.blocks());
        Tensor dWithPositions = dh;
        if (dec.p() > 0) {
            dWithPositions = arena.zeros(b, len, d);
            be.dropoutBackward(dWithPositions, dh, dec.p(), dec.seed());
        }
        embedding.backward(be, dWithPositions, dec.tokens(), b * len);

        // Encoder: CTC head plus the decoder's contribution.
        ctcHead.backward(be, dMemory.reshape(b * frames, d), dCtcLogits.reshape(b * frames, v),
                enc.out().reshape(b * frames, d));
        Tensor de = arena.zeros(b, frames, d);
        encoderNorm.backward(arena, de, dMemory, enc.norm());
        de = encoderBlocks.backward(arena, de, null, enc.blocks());
        frontEnd.backward(arena, de, enc.frontEnd());
    }

    // ------------------------------------------------------------------ checkpoints

    /** The weights and the config (under {@link Checkpoint#CONFIG}) plus {@code metadata}, on the host. */
    public Checkpoint toCheckpoint(Map<String, String> metadata) {
        Map<String, String> meta = new LinkedHashMap<>(metadata);
        meta.put(Checkpoint.CONFIG, cfg.toJson());
        return new Checkpoint(params.toHost(), meta);
    }

    /**
     * Builds the model a checkpoint describes and loads its weights. Optimizer moments stored beside
     * the weights ("m." / "v." prefixes, see {@link dev.speechmamba.train.AdamOptimizer}) are skipped.
     */
    public static AsrModel fromCheckpoint(Backend backend, Checkpoint checkpoint) {
        String json = checkpoint.config().orElseThrow(() -> new IllegalArgumentException(
                "checkpoint has no model config (metadata '" + Checkpoint.CONFIG + "')"));
        AsrModel model = new AsrModel(backend, ModelConfig.fromJson(json), 0);
        try {
            model.loadWeights(checkpoint);
            return model;
        } catch (RuntimeException e) {
            model.close();
            throw e;
        }
    }

    /**
     * Starts this model from a trained one whose config differs at most in its numbers of encoder and decoder layers
     * (none fewer) and dropout: each of its weights goes to the parameter of the same name, and the layers it lacks,
     * which come after its own in each stack, keep their fresh weights but start as the identity
     * ({@link SequenceBlock#startAsIdentity}). This model then computes exactly what the smaller one did, and
     * training goes on from there with more depth.
     *
     * @return a line saying how the stacks grew; empty when the configs have the same depth (a plain load)
     */
    public Optional<String> growFrom(Checkpoint smaller) {
        ModelConfig stored = smaller.config().map(ModelConfig::fromJson).orElseThrow(() -> new IllegalArgumentException(
                "cannot grow from a checkpoint without a model config (metadata '" + Checkpoint.CONFIG + "')"));
        String mismatch = stored.growthMismatch(cfg);
        if (mismatch != null) throw new IllegalArgumentException("cannot grow into model '" + cfg.name() + "': " + mismatch);
        int oldEncoder = stored.encoderLayers(), oldDecoder = stored.decoderLayers();
        params.load(smaller.modelWeights(), name -> layerOf(name, "encoder.layers.") >= oldEncoder
                || layerOf(name, "decoder.layers.") >= oldDecoder);
        if (oldEncoder == cfg.encoderLayers() && oldDecoder == cfg.decoderLayers()) return Optional.empty();
        startAsIdentity(encoderBlocks.blocks(), oldEncoder, cfg.encoderLayers());
        startAsIdentity(decoderBlocks.blocks(), oldDecoder, cfg.decoderLayers());
        return Optional.of(String.format(Locale.ROOT, "grew the encoder from %d to %d layers and the decoder from %d to %d; "
                + "the new layers start as the identity", oldEncoder, cfg.encoderLayers(), oldDecoder, cfg.decoderLayers()));
    }

    /** The layer index in a parameter name under {@code stack} ("encoder.layers.3.mamba1..." → 3), or -1. */
    private static int layerOf(String name, String stack) {
        if (!name.startsWith(stack)) return -1;
        int end = name.indexOf('.', stack.length());
        return Integer.parseInt(name.substring(stack.length(), end < 0 ? name.length() : end));
    }

    private void startAsIdentity(List<SequenceBlock> stack, int fromLayer, int layers) {
        if (fromLayer >= layers) return;
        int perLayer = stack.size() / layers;
        for (int i = fromLayer * perLayer; i < stack.size(); i++) stack.get(i).startAsIdentity(backend());
    }

    /** Loads a checkpoint's weights; its config (when stored) must equal this model's, or nothing is loaded. */
    public void loadWeights(Checkpoint checkpoint) {
        checkpoint.config().map(ModelConfig::fromJson).ifPresent(stored -> {
            if (!stored.equals(cfg)) {
                throw new IllegalArgumentException("checkpoint was written for model config " + stored
                        + " but this model is " + cfg);
            }
        });
        params.load(checkpoint.modelWeights());
    }

    @Override public void close() { params.close(); }
}
