package dev.speechmamba.transcribe;

import dev.speechmamba.audio.SpeechEdges;
import dev.speechmamba.decode.BeamSearch;
import dev.speechmamba.decode.Segmenter;

import java.util.Locale;

/**
 * How a {@link Transcriber} decodes.
 *
 * @param decoder      CTC greedy or joint CTC/attention beam search
 * @param beam         beam search settings (used by {@link Decoder#BEAM})
 * @param segmentation how long recordings are cut for the attention decoder (and into output segments)
 * @param maxBatch     utterances encoded together by {@link Transcriber#transcribe(java.util.List)}
 * @param encodeSegments when a recording has several segments, encode each segment's audio on its own and decode
 *                     it from that, instead of from its frames of the whole-recording pass (which then only finds
 *                     the segments): for models trained on short utterances only, whose encoder output drifts
 *                     over long context; costs a second encoder pass
 * @param trimSilence  with {@code encodeSegments}, trim each segment's audio to {@link SpeechEdges#defaults()} before
 *                     encoding it (a recording of one segment too, when that removes anything): models trained on
 *                     synthesized utterances, which start at their first sound, misread a first word after longer
 *                     silence
 * @param languageModel which n-gram LM beam search fuses, with weight {@code beam.lmWeight()}, when
 *                     {@link Transcriber#load} builds the transcriber
 * @param lexicon      which lexicon beam search charges {@code beam.unknownWordPenalty()} per unknown word against,
 *                     when {@link Transcriber#load} builds the transcriber
 * @param neuralLm     which neural LM beam search fuses beside the n-gram LM, with weight {@code beam.neuralLmWeight()},
 *                     when {@link Transcriber#load} builds the transcriber
 */
public record TranscribeOptions(Decoder decoder, BeamSearch.Options beam, Segmenter.Options segmentation, int maxBatch,
                                boolean encodeSegments, boolean trimSilence, LanguageModelChoice languageModel,
                                LexiconChoice lexicon, NeuralLmChoice neuralLm) {
    /**
     * LM weight β of the defaults, chosen on the 4-hour corpus's validation set (held-out voices) with the bundled
     * model, its n-gram LM and its neural LM: 0.2 beside the neural LM at {@link #DEFAULT_NEURAL_LM_WEIGHT}. Without a
     * neural LM 0.4 read that set best (with length bonus 1.5): give {@code --lm-weight 0.4 --length-bonus 1.5} with
     * {@code --no-neural-lm} or a model without one; see docs/benchmarks.md.
     */
    public static final double DEFAULT_LM_WEIGHT = 0.2;
    /**
     * Unknown-word penalty γ of the defaults (nats per word the lexicon lacks), chosen on the same validation set;
     * see docs/benchmarks.md.
     */
    public static final double DEFAULT_UNKNOWN_WORD_PENALTY = 3.0;
    /**
     * Neural LM weight of the defaults, used when the model has a neural LM ({@code nlm.safetensors}, as the bundled
     * model does since 2026-11-28): chosen with {@link #DEFAULT_LM_WEIGHT} and the length bonus on the validation set
     * (docs/benchmarks.md, "Ninth H200 session: a neural LM trained on the GPU").
     */
    public static final double DEFAULT_NEURAL_LM_WEIGHT = 0.3;

    public enum Decoder {
        GREEDY, BEAM;

        public static Decoder parse(String s) {
            return switch (s.toLowerCase(Locale.ROOT)) {
                case "greedy", "ctc", "ctc-greedy" -> GREEDY;
                case "beam", "joint" -> BEAM;
                default -> throw new IllegalArgumentException("unknown decoder '" + s + "'; choose greedy or beam");
            };
        }
    }

    public TranscribeOptions {
        if (decoder == null || beam == null || segmentation == null || languageModel == null || lexicon == null || neuralLm == null) throw new IllegalArgumentException("transcribe options: null setting");
        if (maxBatch < 1) throw new IllegalArgumentException("transcribe options: max batch must be >= 1, got " + maxBatch);
    }

    /** Segments of multi-segment recordings encoded on their own, their silent edges trimmed, as in {@link #defaults}. */
    public TranscribeOptions(Decoder decoder, BeamSearch.Options beam, Segmenter.Options segmentation, int maxBatch) {
        this(decoder, beam, segmentation, maxBatch, true, true, LanguageModelChoice.MODELS_OWN, LexiconChoice.MODELS_OWN,
                NeuralLmChoice.MODELS_OWN);
    }

    /**
     * Joint beam search with {@link BeamSearch.Options#defaults()} (beam 10, CTC weight 0.3); a recording with several segments has
     * each segment encoded on its own (the models trained here have seen 1–9 s utterances only: decoded from the
     * whole-recording pass, a 45–60 s recording came out at 97 % WER instead of 44 %); the model's own language
     * model, when it has one, fused with weight {@link #DEFAULT_LM_WEIGHT}; the model's own lexicon, when it has
     * one, with {@link #DEFAULT_UNKNOWN_WORD_PENALTY} per unknown word.
     */
    public static TranscribeOptions defaults() {
        return new TranscribeOptions(Decoder.BEAM, BeamSearch.Options.defaults().withLmWeight(DEFAULT_LM_WEIGHT)
                .withUnknownWordPenalty(DEFAULT_UNKNOWN_WORD_PENALTY).withNeuralLmWeight(DEFAULT_NEURAL_LM_WEIGHT), Segmenter.Options.defaults(), 8);
    }

    public TranscribeOptions withDecoder(Decoder d) { return new TranscribeOptions(d, beam, segmentation, maxBatch, encodeSegments, trimSilence, languageModel, lexicon, neuralLm); }

    public TranscribeOptions withBeam(BeamSearch.Options b) {
        return new TranscribeOptions(decoder, b, segmentation, maxBatch, encodeSegments, trimSilence, languageModel, lexicon, neuralLm);
    }

    public TranscribeOptions withSegmentation(Segmenter.Options s) {
        return new TranscribeOptions(decoder, beam, s, maxBatch, encodeSegments, trimSilence, languageModel, lexicon, neuralLm);
    }

    public TranscribeOptions withMaxBatch(int n) { return new TranscribeOptions(decoder, beam, segmentation, n, encodeSegments, trimSilence, languageModel, lexicon, neuralLm); }

    public TranscribeOptions withEncodeSegments(boolean e) { return new TranscribeOptions(decoder, beam, segmentation, maxBatch, e, trimSilence, languageModel, lexicon, neuralLm); }

    public TranscribeOptions withTrimSilence(boolean t) {
        return new TranscribeOptions(decoder, beam, segmentation, maxBatch, encodeSegments, t, languageModel, lexicon, neuralLm);
    }

    public TranscribeOptions withLanguageModel(LanguageModelChoice lm) {
        return new TranscribeOptions(decoder, beam, segmentation, maxBatch, encodeSegments, trimSilence, lm, lexicon, neuralLm);
    }

    public TranscribeOptions withNeuralLm(NeuralLmChoice n) {
        return new TranscribeOptions(decoder, beam, segmentation, maxBatch, encodeSegments, trimSilence, languageModel, lexicon, n);
    }

    public TranscribeOptions withLexicon(LexiconChoice l) {
        return new TranscribeOptions(decoder, beam, segmentation, maxBatch, encodeSegments, trimSilence, languageModel, l, neuralLm);
    }
}
