package dev.speechmamba.examples;

import dev.speechmamba.audio.AudioFiles;
import dev.speechmamba.backend.Backend;
import dev.speechmamba.backend.Backends;
import dev.speechmamba.transcribe.TranscribeOptions;
import dev.speechmamba.transcribe.Transcriber;
import dev.speechmamba.transcribe.Transcript;
import dev.speechmamba.transcribe.Word;

import java.nio.file.Path;
import java.util.Locale;

/**
 * The library API in a dozen lines, following the pipeline: audio file → 16 kHz PCM → (features, encoder,
 * decoder inside {@link Transcriber}) → text with word times. The decoding strategy is configuration.
 *
 * <pre>
 * java -cp 'runtime/target/*:runtime/target/lib/*:examples/target/*' --add-modules=jdk.incubator.vector \
 *     dev.speechmamba.examples.TranscribeFile MODEL_DIR speech.wav
 * </pre>
 */
public final class TranscribeFile {
    private TranscribeFile() { }

    public static void main(String[] args) throws Exception {
        if (args.length != 2) {
            System.err.println("usage: TranscribeFile MODEL_DIR AUDIO_FILE");
            System.exit(2);
        }
        float[] pcm = AudioFiles.read16kMono(Path.of(args[1])).samples();
        TranscribeOptions options = TranscribeOptions.defaults().withDecoder(TranscribeOptions.Decoder.BEAM);
        try (Backend backend = Backends.create("auto");
             Transcriber transcriber = Transcriber.load(Path.of(args[0]), backend, options)) {
            Transcript t = transcriber.transcribe(pcm);
            System.out.println(t.text());
            for (Word w : t.words()) {
                System.out.printf(Locale.ROOT, "%7.2f %7.2f %5.2f  %s%n", w.start(), w.end(), w.confidence(), w.text());
            }
        }
    }
}
