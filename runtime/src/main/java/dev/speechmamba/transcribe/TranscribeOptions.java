package dev.speechmamba.transcribe;

import dev.speechmamba.audio.SpeechEdges;
import dev.speechmamba.audio.SpeechLevel;
import dev.speechmamba.decode.BeamSearch;
import dev.speechmamba.decode.Segmenter;

import java.util.Locale;
import java.util.Optional;

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
 * @param fusionDefaults which of {@code beam}'s n-gram LM weight, length bonus and CTC weight are still their defaults, and so
 *                     become the values tuned beside a neural LM when the transcriber fuses one ({@link #besideNeuralLm})
 * @param speechLevel  the active speech levels each recording is brought into before its filterbank
 *                     ({@link SpeechLevel}), or empty to read recordings at the level they were recorded at
 */
public record TranscribeOptions(Decoder decoder, BeamSearch.Options beam, Segmenter.Options segmentation, int maxBatch,
                                boolean encodeSegments, boolean trimSilence, LanguageModelChoice languageModel,
                                LexiconChoice lexicon, NeuralLmChoice neuralLm, FusionDefaults fusionDefaults,
                                Optional<SpeechLevel.Range> speechLevel) {
    /**
     * LM weight β of the defaults, chosen on the 4-hour corpus's validation set (held-out voices) with the bundled
     * model and LM; see docs/benchmarks.md. Beside a neural LM, {@link #DEFAULT_LM_WEIGHT_BESIDE_NEURAL_LM}.
     */
    public static final double DEFAULT_LM_WEIGHT = 0.4;
    /**
     * The n-gram LM weight when a neural LM is fused too (at {@link #DEFAULT_NEURAL_LM_WEIGHT}, with length bonus
     * {@link BeamSearch.Options#DEFAULT_LENGTH_BONUS_BESIDE_NEURAL_LM}): the validation set read 15.27 % so against 15.79 %
     * with the n-gram LM alone at {@link #DEFAULT_LM_WEIGHT}, and 17.34 % with 0.2 and bonus 2.0 but no neural LM, which
     * is why the defaults follow whether one is fused (docs/benchmarks.md, "Ninth H200 session").
     */
    public static final double DEFAULT_LM_WEIGHT_BESIDE_NEURAL_LM = 0.2;
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

    /**
     * Which of the beam's n-gram LM weight, length bonus and CTC weight are their defaults (not chosen by the caller),
     * and so are replaced by the values tuned beside a neural LM when one is fused.
     */
    public record FusionDefaults(boolean lmWeight, boolean lengthBonus, boolean ctcWeight) {
        public static final FusionDefaults ALL = new FusionDefaults(true, true, true);
        public static final FusionDefaults NONE = new FusionDefaults(false, false, false);
    }

    public TranscribeOptions {
        if (decoder == null || beam == null || segmentation == null || languageModel == null || lexicon == null || neuralLm == null
                || fusionDefaults == null || speechLevel == null) throw new IllegalArgumentException("transcribe options: null setting");
        if (maxBatch < 1) throw new IllegalArgumentException("transcribe options: max batch must be >= 1, got " + maxBatch);
    }

    /**
     * Segments of multi-segment recordings encoded on their own, their silent edges trimmed, speech brought into
     * {@link SpeechLevel#TRAINING_RANGE}, as in {@link #defaults}.
     */
    public TranscribeOptions(Decoder decoder, BeamSearch.Options beam, Segmenter.Options segmentation, int maxBatch) {
        this(decoder, beam, segmentation, maxBatch, true, true, LanguageModelChoice.MODELS_OWN, LexiconChoice.MODELS_OWN,
                NeuralLmChoice.MODELS_OWN, FusionDefaults.NONE, Optional.of(SpeechLevel.TRAINING_RANGE));
    }

    /**
     * Joint beam search with {@link BeamSearch.Options#defaults()} (beam 24, CTC weight 0.3); a recording with several segments has
     * each segment encoded on its own (the models trained here have seen 1–9 s utterances only: decoded from the
     * whole-recording pass, a 45–60 s recording came out at 97 % WER instead of 44 %); the model's own language
     * model, when it has one, fused with weight {@link #DEFAULT_LM_WEIGHT}; the model's own lexicon, when it has
     * one, with {@link #DEFAULT_UNKNOWN_WORD_PENALTY} per unknown word; each recording's speech brought into
     * {@link SpeechLevel#TRAINING_RANGE} first.
     */
    public static TranscribeOptions defaults() {
        return new TranscribeOptions(Decoder.BEAM, BeamSearch.Options.defaults().withLmWeight(DEFAULT_LM_WEIGHT)
                .withUnknownWordPenalty(DEFAULT_UNKNOWN_WORD_PENALTY).withNeuralLmWeight(DEFAULT_NEURAL_LM_WEIGHT), Segmenter.Options.defaults(), 8)
                .withFusionDefaults(FusionDefaults.ALL);
    }

    /**
     * These options for a transcriber that has a neural LM loaded ({@code neuralLmLoaded}) or not: when it has one and
     * fuses it (neural LM weight above 0), the n-gram LM weight, length bonus and CTC weight that are still
     * {@link #fusionDefaults} become {@link #DEFAULT_LM_WEIGHT_BESIDE_NEURAL_LM},
     * {@link BeamSearch.Options#DEFAULT_LENGTH_BONUS_BESIDE_NEURAL_LM} and {@link BeamSearch.Options#DEFAULT_CTC_WEIGHT_BESIDE_NEURAL_LM};
     * otherwise unchanged.
     */
    public TranscribeOptions besideNeuralLm(boolean neuralLmLoaded) {
        if (!neuralLmLoaded || !(beam.neuralLmWeight() > 0)) return this;
        BeamSearch.Options b = beam;
        if (fusionDefaults.lmWeight() && b.lmWeight() > 0) b = b.withLmWeight(DEFAULT_LM_WEIGHT_BESIDE_NEURAL_LM);
        if (fusionDefaults.lengthBonus()) b = b.withLengthBonus(BeamSearch.Options.DEFAULT_LENGTH_BONUS_BESIDE_NEURAL_LM);
        if (fusionDefaults.ctcWeight()) b = b.withCtcWeight(BeamSearch.Options.DEFAULT_CTC_WEIGHT_BESIDE_NEURAL_LM);
        return new TranscribeOptions(decoder, b, segmentation, maxBatch, encodeSegments, trimSilence, languageModel, lexicon, neuralLm,
                FusionDefaults.NONE, speechLevel);
    }

    public TranscribeOptions withFusionDefaults(FusionDefaults f) {
        return new TranscribeOptions(decoder, beam, segmentation, maxBatch, encodeSegments, trimSilence, languageModel, lexicon, neuralLm, f, speechLevel);
    }

    public TranscribeOptions withDecoder(Decoder d) { return new TranscribeOptions(d, beam, segmentation, maxBatch, encodeSegments, trimSilence, languageModel, lexicon, neuralLm, fusionDefaults, speechLevel); }

    /** With beam search settings {@code b}; an LM weight, length bonus or CTC weight it changes is no longer a default. */
    public TranscribeOptions withBeam(BeamSearch.Options b) {
        FusionDefaults f = new FusionDefaults(fusionDefaults.lmWeight() && b.lmWeight() == beam.lmWeight(),
                fusionDefaults.lengthBonus() && b.lengthBonus() == beam.lengthBonus(),
                fusionDefaults.ctcWeight() && b.ctcWeight() == beam.ctcWeight());
        return new TranscribeOptions(decoder, b, segmentation, maxBatch, encodeSegments, trimSilence, languageModel, lexicon, neuralLm, f, speechLevel);
    }

    public TranscribeOptions withSegmentation(Segmenter.Options s) {
        return new TranscribeOptions(decoder, beam, s, maxBatch, encodeSegments, trimSilence, languageModel, lexicon, neuralLm, fusionDefaults, speechLevel);
    }

    public TranscribeOptions withMaxBatch(int n) { return new TranscribeOptions(decoder, beam, segmentation, n, encodeSegments, trimSilence, languageModel, lexicon, neuralLm, fusionDefaults, speechLevel); }

    public TranscribeOptions withEncodeSegments(boolean e) { return new TranscribeOptions(decoder, beam, segmentation, maxBatch, e, trimSilence, languageModel, lexicon, neuralLm, fusionDefaults, speechLevel); }

    public TranscribeOptions withTrimSilence(boolean t) {
        return new TranscribeOptions(decoder, beam, segmentation, maxBatch, encodeSegments, t, languageModel, lexicon, neuralLm, fusionDefaults, speechLevel);
    }

    public TranscribeOptions withLanguageModel(LanguageModelChoice lm) {
        return new TranscribeOptions(decoder, beam, segmentation, maxBatch, encodeSegments, trimSilence, lm, lexicon, neuralLm, fusionDefaults, speechLevel);
    }

    public TranscribeOptions withNeuralLm(NeuralLmChoice n) {
        return new TranscribeOptions(decoder, beam, segmentation, maxBatch, encodeSegments, trimSilence, languageModel, lexicon, n, fusionDefaults, speechLevel);
    }

    /** Recordings brought into these speech levels before their filterbank, or read as recorded when empty. */
    public TranscribeOptions withSpeechLevel(Optional<SpeechLevel.Range> level) {
        return new TranscribeOptions(decoder, beam, segmentation, maxBatch, encodeSegments, trimSilence, languageModel, lexicon, neuralLm,
                fusionDefaults, level);
    }

    public TranscribeOptions withLexicon(LexiconChoice l) {
        return new TranscribeOptions(decoder, beam, segmentation, maxBatch, encodeSegments, trimSilence, languageModel, l, neuralLm, fusionDefaults, speechLevel);
    }
}
