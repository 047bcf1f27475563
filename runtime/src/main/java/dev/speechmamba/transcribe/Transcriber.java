package dev.speechmamba.transcribe;

import dev.speechmamba.audio.Audio;
import dev.speechmamba.audio.Fbank;
import dev.speechmamba.audio.Features;
import dev.speechmamba.audio.GlobalCmvn;
import dev.speechmamba.audio.SpeechEdges;
import dev.speechmamba.audio.SpeechLevel;
import dev.speechmamba.backend.Backend;
import dev.speechmamba.decode.AsrModelDecoder;
import dev.speechmamba.decode.BeamSearch;
import dev.speechmamba.decode.CtcAligner;
import dev.speechmamba.decode.CtcConfidence;
import dev.speechmamba.decode.CtcGreedy;
import dev.speechmamba.decode.LogProbs;
import dev.speechmamba.decode.NeuralLmScorer;
import dev.speechmamba.decode.Segmenter;
import dev.speechmamba.decode.TokenSpan;
import dev.speechmamba.decode.WordTimings;
import dev.speechmamba.lm.Lexicon;
import dev.speechmamba.lm.LexiconScorer;
import dev.speechmamba.lm.NgramLm;
import dev.speechmamba.lm.TokenLanguageModel;
import dev.speechmamba.model.AsrBatch;
import dev.speechmamba.model.AsrModel;
import dev.speechmamba.model.ModelConfig;
import dev.speechmamba.model.NeuralLm;
import dev.speechmamba.model.TensorArena;
import dev.speechmamba.text.BpeTokenizer;
import dev.speechmamba.train.Checkpoint;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * Speech to text with a trained model, following the pipeline pcm → features → encode → decode → text:
 * 16 kHz samples become 80-bin filterbanks (normalised with the model's global CMVN when it has one); the
 * encoder runs over each whole recording in one pass; the greedy CTC path marks pauses, along which the
 * recording is cut into segments; each segment is decoded on its own (CTC greedy, or joint CTC/attention
 * beam search whose decoder cross-attends to the segment's slice of the encoder output, or, with
 * {@link TranscribeOptions#encodeSegments}, to a second encoder pass over the segment's audio alone); word
 * times come from the CTC alignment of the chosen tokens. Not thread-safe: one transcriber per thread.
 */
public final class Transcriber implements AutoCloseable {
    private final AsrModel model;
    private final BpeTokenizer tokenizer;
    private final GlobalCmvn cmvn;
    private final TranscribeOptions options;
    private final Fbank fbank;
    private final Segmenter segmenter;
    private final BeamSearch beamSearch;
    private final TokenLanguageModel languageModel; // null: beam search without an LM
    private final Lexicon lexicon;                  // null: beam search without a lexicon
    private final LexiconScorer lexiconScorer;
    private final NeuralLm neuralLm;                // null: beam search without one
    private final boolean ownsModel;

    /**
     * Wraps a model (not closed by {@link #close}).
     *
     * @param cmvn null when the model was trained on raw filterbanks
     */
    public Transcriber(AsrModel model, BpeTokenizer tokenizer, GlobalCmvn cmvn, TranscribeOptions options) {
        this(model, tokenizer, cmvn, options, null, null, null, false);
    }

    /**
     * Wraps a model (not closed by {@link #close}) with an n-gram language model for beam search.
     *
     * @param lm null for none; else an LM over this tokenizer's pieces, fused with weight {@code options.beam().lmWeight()}
     */
    public Transcriber(AsrModel model, BpeTokenizer tokenizer, GlobalCmvn cmvn, TranscribeOptions options, NgramLm lm) {
        this(model, tokenizer, cmvn, options, lm, null, null, false);
    }

    /**
     * Wraps a model (not closed by {@link #close}) with an n-gram language model and a lexicon for beam search.
     *
     * @param lm      null for none; else an LM over this tokenizer's pieces, fused with weight {@code options.beam().lmWeight()}
     * @param lexicon null for none; else each word a hypothesis spells that it lacks costs
     *                {@code options.beam().unknownWordPenalty()}
     */
    public Transcriber(AsrModel model, BpeTokenizer tokenizer, GlobalCmvn cmvn, TranscribeOptions options, NgramLm lm,
                       Lexicon lexicon) {
        this(model, tokenizer, cmvn, options, lm, lexicon, null, false);
    }

    /**
     * Wraps a model (not closed by {@link #close}) with an n-gram LM, a lexicon and a neural LM for beam search.
     *
     * @param neuralLm null for none; else an LM over this tokenizer's pieces (not closed by {@link #close}, like the model), fused with
     *                 weight {@code options.beam().neuralLmWeight()} beside the n-gram LM
     */
    public Transcriber(AsrModel model, BpeTokenizer tokenizer, GlobalCmvn cmvn, TranscribeOptions options, NgramLm lm,
                       Lexicon lexicon, NeuralLm neuralLm) {
        this(model, tokenizer, cmvn, options, lm, lexicon, neuralLm, false);
    }

    private Transcriber(AsrModel model, BpeTokenizer tokenizer, GlobalCmvn cmvn, TranscribeOptions options, NgramLm lm,
                        Lexicon lexicon, NeuralLm neuralLm, boolean ownsModel) {
        ModelConfig cfg = model.config();
        ModelFolder.checkTokenizer(cfg, tokenizer, "transcriber");
        if (cmvn != null && cmvn.dims() != cfg.featureDim()) {
            throw new IllegalArgumentException("transcriber: CMVN has " + cmvn.dims() + " dims, model expects " + cfg.featureDim());
        }
        this.model = model;
        this.tokenizer = tokenizer;
        this.cmvn = cmvn;
        // The n-gram LM weight and length bonus tuned alone are not the ones tuned beside a neural LM.
        this.options = options.besideNeuralLm(neuralLm != null);
        this.fbank = new Fbank(cfg.featureDim());
        this.segmenter = new Segmenter(this.options.segmentation());
        this.beamSearch = new BeamSearch(this.options.beam(), cfg.blank(), cfg.sosEos());
        this.languageModel = lm == null ? null : new TokenLanguageModel(lm, tokenizer);
        this.lexicon = lexicon;
        this.lexiconScorer = lexicon == null ? null : new LexiconScorer(lexicon, tokenizer);
        if (neuralLm != null && (neuralLm.config().vocabSize() != cfg.vocabSize() || neuralLm.config().sosEos() != cfg.sosEos())) {
            throw new IllegalArgumentException("transcriber: the neural LM was made for another tokenizer (vocabulary "
                    + neuralLm.config().vocabSize() + ", <sos/eos> " + neuralLm.config().sosEos() + "; the model has "
                    + cfg.vocabSize() + ", " + cfg.sosEos() + ")");
        }
        this.neuralLm = neuralLm;
        this.ownsModel = ownsModel;
    }

    /** Loads a model folder (see {@link ModelFolder}) onto {@code backend}. */
    public static Transcriber load(Path modelPath, Backend backend, TranscribeOptions options) throws IOException {
        return load(new ModelSource.Folder(modelPath, "the caller"), backend, options);
    }

    /**
     * Loads a model folder or the bundled default model (see {@link ModelSource#resolve}) onto {@code backend}, with
     * the language model {@code options.languageModel()} names when beam search will use one (decoder BEAM, LM
     * weight above 0), the lexicon {@code options.lexicon()} names when it will use one (unknown-word penalty
     * above 0), and the neural LM {@code options.neuralLm()} names when it will use one (neural LM weight above 0).
     */
    public static Transcriber load(ModelSource source, Backend backend, TranscribeOptions options) throws IOException {
        // The LM (a few MB of ARPA text) and the lexicon are parsed on other threads while the weights load: about a
        // second less before the first transcript on a cold JVM.
        boolean beam = options.decoder() == TranscribeOptions.Decoder.BEAM;
        CompletableFuture<NgramLm> lm = CompletableFuture.completedFuture(null);
        if (beam && options.beam().lmWeight() > 0) lm = inBackground("lm-loader", () -> options.languageModel().load(source).orElse(null));
        CompletableFuture<Lexicon> lexicon = CompletableFuture.completedFuture(null);
        if (beam && options.beam().unknownWordPenalty() > 0) {
            lexicon = inBackground("lexicon-loader", () -> options.lexicon().load(source).orElse(null));
        }
        CompletableFuture<Checkpoint> neural = CompletableFuture.completedFuture(null);
        if (beam && options.beam().neuralLmWeight() > 0) {
            neural = inBackground("neural-lm-loader", () -> options.neuralLm().load(source).orElse(null));
        }
        ModelFolder.Loaded loaded = source.load(backend);
        NeuralLm neuralLm = null;
        try {
            Checkpoint neuralWeights = join(neural);
            if (neuralWeights != null) neuralLm = NeuralLm.fromCheckpoint(backend, neuralWeights);
            return new Transcriber(loaded.model(), loaded.tokenizer(), loaded.cmvn().orElse(null), options, join(lm),
                    join(lexicon), neuralLm, true);
        } catch (IOException | RuntimeException e) {
            if (neuralLm != null) neuralLm.close();
            loaded.model().close();
            throw e;
        }
    }

    private interface IoSupplier<T> {
        T get() throws IOException;
    }

    private static <T> CompletableFuture<T> inBackground(String thread, IoSupplier<T> load) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                return load.get();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }, runnable -> Thread.ofVirtual().name(thread).start(runnable));
    }

    private static <T> T join(CompletableFuture<T> future) throws IOException {
        try {
            return future.join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof UncheckedIOException io) throw io.getCause();
            if (e.getCause() instanceof RuntimeException r) throw r;
            if (e.getCause() instanceof Error err) throw err;
            throw e;
        }
    }

    public AsrModel model() { return model; }

    public BpeTokenizer tokenizer() { return tokenizer; }

    public Optional<GlobalCmvn> cmvn() { return Optional.ofNullable(cmvn); }

    public TranscribeOptions options() { return options; }

    /** The n-gram language model beam search fuses, if any. */
    public Optional<NgramLm> languageModel() { return Optional.ofNullable(languageModel).map(TokenLanguageModel::ngram); }

    /** The neural LM beam search fuses beside the n-gram LM, if any. */
    public Optional<NeuralLm> neuralLm() { return Optional.ofNullable(neuralLm); }

    /** The lexicon beam search charges unknown words against, if any. */
    public Optional<Lexicon> lexicon() { return Optional.ofNullable(lexicon); }

    /** Transcribes one recording of 16 kHz mono samples in [-1, 1]. */
    public Transcript transcribe(float[] pcm16k) {
        return transcribe(List.of(pcm16k)).getFirst();
    }

    /**
     * Transcribes recordings, encoding up to {@code maxBatch} of similar length together; results are in
     * input order. A recording too short for one filterbank frame (25 ms) gives an empty transcript. With
     * {@link TranscribeOptions#speechLevel} each recording is first brought into those levels, and each segment that
     * is encoded on its own again by itself (copies: the caller's arrays are not changed).
     */
    public List<Transcript> transcribe(List<float[]> recordings) {
        Transcript[] results = new Transcript[recordings.size()];
        List<Integer> pending = new ArrayList<>();
        List<float[]> pcm16k = new ArrayList<>(recordings.size());
        for (int i = 0; i < recordings.size(); i++) {
            float[] pcm = recordings.get(i);
            if (pcm == null) throw new IllegalArgumentException("transcribe: recording " + i + " is null");
            for (int k = 0; k < pcm.length; k++) {
                if (!Float.isFinite(pcm[k])) throw new IllegalArgumentException("transcribe: recording " + i + " has a non-finite sample at " + k);
            }
            pcm16k.add(atSpeechLevel(pcm));
            if (Fbank.numFrames(pcm.length) == 0) results[i] = Transcript.empty();
            else pending.add(i);
        }
        pending.sort(Comparator.comparingInt(i -> pcm16k.get(i).length));
        for (int from = 0; from < pending.size(); from += options.maxBatch()) {
            List<Integer> chunk = pending.subList(from, Math.min(pending.size(), from + options.maxBatch()));
            List<Transcript> decoded = transcribeBatch(chunk.stream().map(pcm16k::get).toList());
            for (int k = 0; k < chunk.size(); k++) results[chunk.get(k)] = decoded.get(k);
        }
        return List.of(results);
    }

    /** One recording's encoder pass, on the host: CTC log-probs (T', V) and encoder output (T', d). */
    private record HostEncoding(LogProbs logProbs, float[] memory) { }

    private List<Transcript> transcribeBatch(List<float[]> pcms) {
        List<HostEncoding> encoded = encode(pcms);
        List<Transcript> out = new ArrayList<>();
        for (int b = 0; b < pcms.size(); b++) out.add(decodeRecording(pcms.get(b), encoded.get(b)));
        return out;
    }

    /** Encodes recordings together (each at least one filterbank frame long). */
    private List<HostEncoding> encode(List<float[]> pcms) {
        ModelConfig cfg = model.config();
        int v = cfg.vocabSize(), d = cfg.dModel();
        List<float[]> features = new ArrayList<>();
        for (float[] pcm : pcms) {
            Features f = fbank.compute(pcm);
            if (cmvn != null) cmvn.applyInPlace(f);
            features.add(f.data());
        }
        AsrBatch batch = AsrBatch.of(cfg.featureDim(), features, null);
        float[] ctcLogits, memory;      // (B, T', V), (B, T', d)
        int[] lengths;
        int frames;
        Backend be = model.backend();
        try (TensorArena arena = new TensorArena(be)) {
            AsrModel.Encoded enc = model.encodeForInference(arena, batch);
            ctcLogits = be.toHost(enc.ctcLogits());
            memory = be.toHost(enc.out());
            lengths = enc.hostLengths().clone();
            frames = enc.frames();
        }
        List<HostEncoding> out = new ArrayList<>();
        for (int b = 0; b < pcms.size(); b++) {
            out.add(new HostEncoding(LogProbs.fromLogits(ctcLogits, b * frames, lengths[b], v),
                    Arrays.copyOfRange(memory, b * frames * d, (b * frames + lengths[b]) * d)));
        }
        return out;
    }

    /**
     * Cuts one recording into segments along the pauses of its greedy CTC path and decodes each, from the
     * whole-recording pass or (with {@link TranscribeOptions#encodeSegments}) from its own encoder pass over the
     * segment's audio, trimmed to its sound with {@link TranscribeOptions#trimSilence}.
     */
    private Transcript decodeRecording(float[] pcm, HostEncoding whole) {
        int blank = model.config().blank();
        int[] path = whole.logProbs().argmaxPath();
        boolean trim = options.encodeSegments() && options.trimSilence();
        List<Segmenter.FrameRange> ranges = segmenter.segments(path, blank, trim ? frameLoudness(pcm, path.length) : null);
        List<Segment> segments = new ArrayList<>();
        // Segments get encoder passes of their own when there are several, or when trimming shortens the only one.
        List<SegmentAudio> audio = options.encodeSegments() && (ranges.size() > 1 || trim)
                ? ranges.stream().map(r -> segmentAudio(pcm, r, trim ? SPEECH_EDGES : null)).toList()
                : List.of();
        boolean encodeAlone = ranges.size() > 1 ? !audio.isEmpty() : audio.size() == 1 && audio.getFirst().trimmed(pcm.length);
        if (encodeAlone) {
            List<HostEncoding> parts = new ArrayList<>();
            for (int from = 0; from < audio.size(); from += options.maxBatch()) {
                // Each segment at the speech level on its own, as each training utterance was: a long recording's
                // speakers and rooms need not share one level.
                parts.addAll(encode(audio.subList(from, Math.min(audio.size(), from + options.maxBatch())).stream()
                        .map(a -> atSpeechLevel(a.samples())).toList()));
            }
            for (int i = 0; i < ranges.size(); i++) {
                HostEncoding part = parts.get(i);
                SegmentAudio a = audio.get(i);
                int frames = Math.min(part.logProbs().frames(), a.frames());
                if (frames < 1) continue;
                addIfSpoken(segments, decodeRange(part, new Segmenter.FrameRange(0, frames), a.firstFrame()));
            }
        } else {
            for (Segmenter.FrameRange range : ranges) addIfSpoken(segments, decodeRange(whole, range, 0));
        }
        List<Word> words = segments.stream().flatMap(s -> s.words().stream()).toList();
        String text = String.join(" ", segments.stream().map(Segment::text).toList());
        return new Transcript(text, words, segments);
    }

    /** {@code samples} brought into {@link TranscribeOptions#speechLevel}, or as they are when it is empty. */
    private float[] atSpeechLevel(float[] samples) {
        return options.speechLevel().map(range -> SpeechLevel.normalize(samples, range)).orElse(samples);
    }

    private static final SpeechEdges SPEECH_EDGES = SpeechEdges.defaults();
    private static final int SAMPLES_PER_FRAME = (int) Math.round(WordTimings.FRAME_SECONDS * Fbank.SAMPLE_RATE);

    /** The RMS of the samples under each of {@code frames} encoder frames (0 past the end of the audio). */
    static float[] frameLoudness(float[] pcm, int frames) {
        float[] rms = new float[frames];
        for (int f = 0; f < frames; f++) {
            int from = Math.min(pcm.length, f * SAMPLES_PER_FRAME);
            rms[f] = (float) Audio.rms(pcm, from, Math.min(pcm.length, from + SAMPLES_PER_FRAME));
        }
        return rms;
    }

    private static void addIfSpoken(List<Segment> segments, Segment segment) {
        if (!segment.text().isEmpty()) segments.add(segment);
    }

    /**
     * A segment's audio for its own encoder pass.
     *
     * @param samples    the audio, starting at encoder frame {@code firstFrame} of the recording
     * @param firstFrame where its encoder frames start in the recording's
     * @param frames     how many of its encoder frames belong to the segment
     */
    record SegmentAudio(float[] samples, int firstFrame, int frames) {
        /** Whether this is less than the whole recording of {@code recordingSamples}. */
        boolean trimmed(int recordingSamples) { return firstFrame > 0 || samples.length < recordingSamples; }
    }

    /**
     * The audio of a segment: {@link #segmentAudio(float[], Segmenter.FrameRange)} less the silence before its
     * leading margin and after its trailing one, per {@code edges} (null: untrimmed). Its encoder frames then start
     * at the recording's frame nearest to where the kept audio starts (word times within half a frame, 20 ms).
     */
    static SegmentAudio segmentAudio(float[] pcm, Segmenter.FrameRange range, SpeechEdges edges) {
        float[] samples = segmentAudio(pcm, range);
        if (edges == null || samples.length == 0) return new SegmentAudio(samples, range.start(), range.length());
        SpeechEdges.Bounds keep = edges.find(samples, 0, samples.length);
        int from = Math.min(keep.from(), Math.max(0, samples.length - Fbank.FRAME_LENGTH));
        int to = Math.max(keep.to(), Math.min(samples.length, from + Fbank.FRAME_LENGTH));
        if (from == 0 && to == samples.length) return new SegmentAudio(samples, range.start(), range.length());
        int skippedFrames = Math.min(range.length() - 1, Math.round(from / (float) SAMPLES_PER_FRAME));
        return new SegmentAudio(Arrays.copyOfRange(samples, from, to), range.start() + skippedFrames, range.length() - skippedFrames);
    }

    /**
     * The samples under encoder frames [start, end) of a recording: frame i (40 ms) covers filterbank frames
     * 4i..4i+3, that is samples from 4i·160 to (4i+3)·160 + 400.
     */
    static float[] segmentAudio(float[] pcm, Segmenter.FrameRange range) {
        int from = Math.min(pcm.length, range.start() * SAMPLES_PER_FRAME);
        int to = Math.min(pcm.length, (range.end() - 1) * SAMPLES_PER_FRAME + 3 * Fbank.FRAME_SHIFT + Fbank.FRAME_LENGTH);
        return Arrays.copyOfRange(pcm, from, Math.max(from, to));
    }

    /**
     * Decodes frames {@code range} of an encoder pass; times are shifted by {@code frameOffset} (where the pass
     * starts in the recording).
     */
    private Segment decodeRange(HostEncoding enc, Segmenter.FrameRange range, int frameOffset) {
        ModelConfig cfg = model.config();
        int blank = cfg.blank(), d = cfg.dModel();
        LogProbs slice = enc.logProbs().slice(range.start(), range.end());
        List<TokenSpan> local;
        double[] confidence;
        if (options.decoder() == TranscribeOptions.Decoder.GREEDY) {
            local = CtcGreedy.collapse(slice.argmaxPath(), blank);
            confidence = CtcConfidence.ofSpans(slice, local);
        } else {
            float[] sliceMemory = Arrays.copyOfRange(enc.memory(), range.start() * d, range.end() * d);
            int[] tokens;
            double[] attention;
            try (AsrModelDecoder decoder = new AsrModelDecoder(model, sliceMemory, range.length());
                 NeuralLmScorer neural = neuralLm == null || options.beam().neuralLmWeight() == 0 ? null
                         : new NeuralLmScorer(neuralLm, cfg.blank())) {
                tokens = beamSearch.search(decoder, slice, range.length(), languageModel, lexiconScorer, neural).getFirst().tokens();
                attention = CtcConfidence.ofDecoder(decoder, cfg.sosEos(), tokens);
            }
            local = CtcAligner.minimumFrames(tokens) <= slice.frames()
                    ? CtcAligner.align(slice, tokens, blank)
                    : WordTimings.spreadEvenly(tokens, 0, slice.frames());
            confidence = CtcConfidence.joint(CtcConfidence.ofSpans(slice, local), attention, options.beam().ctcWeight());
        }
        int shift = range.start() + frameOffset;
        List<TokenSpan> spans = local.stream().map(s -> s.shift(shift)).toList();
        return toSegment(spans, confidence, new Segmenter.FrameRange(shift, shift + range.length()));
    }

    private Segment toSegment(List<TokenSpan> spans, double[] confidence, Segmenter.FrameRange range) {
        // Control ids (<sos/eos>) carry no text; a untrained CTC head may still emit them.
        List<TokenSpan> textual = new ArrayList<>();
        double[] textualConfidence = new double[spans.size()];
        for (int i = 0; i < spans.size(); i++) {
            if (tokenizer.piece(spans.get(i).token()).type() == BpeTokenizer.PieceType.CONTROL) continue;
            textualConfidence[textual.size()] = confidence[i];
            textual.add(spans.get(i));
        }
        String text = tokenizer.decode(CtcGreedy.tokens(textual)).strip();
        List<Word> words = new ArrayList<>();
        for (WordTimings.WordSpan w : WordTimings.words(textual, Arrays.copyOf(textualConfidence, textual.size()),
                id -> tokenizer.piece(id).text())) {
            String wordText = tokenizer.decode(w.tokens()).strip();
            if (!wordText.isEmpty()) words.add(new Word(wordText, w.start(), w.end(), w.confidence()));
        }
        double start = words.isEmpty() ? range.start() * WordTimings.FRAME_SECONDS : words.getFirst().start();
        double end = words.isEmpty() ? range.end() * WordTimings.FRAME_SECONDS : words.getLast().end();
        return new Segment(text, start, end, words);
    }

    @Override public void close() {
        if (!ownsModel) return;
        if (neuralLm != null) neuralLm.close();
        model.close();
    }
}
