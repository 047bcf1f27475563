package dev.speechmamba.transcribe;

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
 */
public record TranscribeOptions(Decoder decoder, BeamSearch.Options beam, Segmenter.Options segmentation, int maxBatch) {

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
        if (decoder == null || beam == null || segmentation == null) throw new IllegalArgumentException("transcribe options: null setting");
        if (maxBatch < 1) throw new IllegalArgumentException("transcribe options: max batch must be >= 1, got " + maxBatch);
    }

    /** Joint beam search with ESPnet's defaults (beam 10, CTC weight 0.4). */
    public static TranscribeOptions defaults() {
        return new TranscribeOptions(Decoder.BEAM, BeamSearch.Options.defaults(), Segmenter.Options.defaults(), 8);
    }

    public TranscribeOptions withDecoder(Decoder d) { return new TranscribeOptions(d, beam, segmentation, maxBatch); }

    public TranscribeOptions withBeam(BeamSearch.Options b) { return new TranscribeOptions(decoder, b, segmentation, maxBatch); }

    public TranscribeOptions withSegmentation(Segmenter.Options s) { return new TranscribeOptions(decoder, beam, s, maxBatch); }
}
