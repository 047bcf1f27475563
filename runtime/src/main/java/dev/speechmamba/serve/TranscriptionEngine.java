package dev.speechmamba.serve;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What the server needs from a speech recognizer: one batched call. The server groups concurrent requests into
 * one call (dynamic batching), so an engine sees up to {@code --max-batch} utterances at once. A call that throws
 * fails only the requests of that batch (HTTP 500); the server keeps running. Engines are called from a single
 * batcher thread, never concurrently.
 */
public interface TranscriptionEngine extends AutoCloseable {

    /**
     * Transcribes each utterance; returns one result per input, in input order.
     *
     * @param pcm16k mono audio at 16 kHz, samples in [-1, 1]; each array has at least one sample
     */
    List<Result> transcribe(List<float[]> pcm16k) throws Exception;

    /** Name reported by {@code /health} and accepted (not required) in the request's {@code model} field. */
    String modelName();

    /** Where the model runs: {@code "cpu"}, {@code "cuda"} (the backend's name). */
    String device();

    /** Language reported in {@code verbose_json}. */
    default String language() { return "english"; }

    /** The language model beam search fuses, in a few words (e.g. "6-gram LM, 256 words, weight 0.40"); empty for none. */
    default Optional<String> languageModel() { return Optional.empty(); }

    /** The lexicon beam search prefers, in a few words (e.g. "lexicon of 197,000 words, unknown-word penalty 2.00"); empty for none. */
    default Optional<String> lexicon() { return Optional.empty(); }

    /** Device memory in use, where the engine runs on a GPU; empty on CPU. */
    default Optional<DeviceMemory> deviceMemory() { return Optional.empty(); }

    @Override
    default void close() throws Exception { }

    /** The transcript of one utterance; times are seconds from its start. */
    record Result(String text, List<Word> words, List<Segment> segments) {
        public Result {
            Objects.requireNonNull(text, "text");
            words = List.copyOf(words);
            segments = List.copyOf(segments);
        }
    }

    /** One recognized word, where it lies in the audio, and how sure the model is of it (0 to 1). */
    record Word(String word, double start, double end, double confidence) {
        public Word {
            Objects.requireNonNull(word, "word");
            if (!(start >= 0 && end >= start)) throw new IllegalArgumentException("Word: need 0 <= start <= end, got " + start + ", " + end);
            if (!(confidence >= 0 && confidence <= 1)) throw new IllegalArgumentException("Word: confidence " + confidence + " is outside [0, 1]");
        }
    }

    /** A stretch of the transcript (a sentence or a pause-delimited phrase) with its time span. */
    record Segment(String text, double start, double end) {
        public Segment {
            Objects.requireNonNull(text, "text");
            if (!(start >= 0 && end >= start)) throw new IllegalArgumentException("Segment: need 0 <= start <= end, got " + start + ", " + end);
        }
    }

    /** GPU memory of the engine's device, in bytes. */
    record DeviceMemory(long usedBytes, long totalBytes) { }
}
