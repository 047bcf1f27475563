package dev.speechmamba.serve;

import dev.speechmamba.backend.Backend;
import dev.speechmamba.backend.cuda.CudaBackend;
import dev.speechmamba.cuda.MemInfo;
import dev.speechmamba.transcribe.Transcriber;
import dev.speechmamba.transcribe.Transcript;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The server's engine over a {@link Transcriber} (a loaded model folder). GPU memory is read right after each
 * batch on the batcher thread, where the CUDA context is current, and the last reading is what
 * {@code /metrics} reports.
 */
public final class TranscriberEngine implements TranscriptionEngine {

    private final Transcriber transcriber;
    private final Backend backend;
    private final String modelName;
    private volatile Optional<DeviceMemory> lastMemory = Optional.empty();

    /**
     * @param transcriber closed with this engine
     * @param backend     the backend the model lives on (closed with this engine)
     * @param modelName   reported by /health (the model folder's name, say)
     */
    public TranscriberEngine(Transcriber transcriber, Backend backend, String modelName) {
        this.transcriber = transcriber;
        this.backend = backend;
        this.modelName = modelName;
        readDeviceMemory();
    }

    @Override
    public List<Result> transcribe(List<float[]> pcm16k) {
        try {
            List<Transcript> transcripts = transcriber.transcribe(pcm16k);
            List<Result> results = new ArrayList<>(transcripts.size());
            for (Transcript t : transcripts) results.add(toResult(t));
            return results;
        } finally {
            readDeviceMemory();
        }
    }

    static Result toResult(Transcript t) {
        List<Word> words = t.words().stream().map(w -> new Word(w.text(), w.start(), w.end(), w.confidence())).toList();
        List<Segment> segments = t.segments().stream().map(s -> new Segment(s.text(), s.start(), s.end())).toList();
        return new Result(t.text(), words, segments);
    }

    private void readDeviceMemory() {
        if (!(backend instanceof CudaBackend cuda)) return;
        try {
            cuda.synchronize();
            MemInfo info = cuda.context().driver().memGetInfo();
            lastMemory = Optional.of(new DeviceMemory(info.totalBytes() - info.freeBytes(), info.totalBytes()));
        } catch (RuntimeException e) {
            // A device that cannot report memory (a sticky error after a failed batch) leaves the last reading.
        }
    }

    @Override public String modelName() { return modelName; }

    @Override public String device() { return backend.name(); }

    @Override public Optional<String> languageModel() {
        return transcriber.languageModel().map(lm -> String.format(java.util.Locale.ROOT, "%d-gram LM, %d words, weight %.2f",
                lm.order(), lm.vocabulary().size(), transcriber.options().beam().lmWeight()));
    }

    @Override public Optional<String> lexicon() {
        return transcriber.lexicon().map(l -> String.format(java.util.Locale.ROOT, "lexicon of %,d words, unknown-word penalty %.2f",
                l.size(), transcriber.options().beam().unknownWordPenalty()));
    }

    @Override public Optional<DeviceMemory> deviceMemory() { return lastMemory; }

    @Override
    public void close() {
        try {
            transcriber.close();
        } finally {
            backend.close();
        }
    }
}
