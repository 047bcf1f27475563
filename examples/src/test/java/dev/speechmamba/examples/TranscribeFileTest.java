package dev.speechmamba.examples;

import dev.speechmamba.audio.Audio;
import dev.speechmamba.audio.WavWriter;
import dev.speechmamba.backend.Backend;
import dev.speechmamba.backend.fastcpu.FastCpuBackend;
import dev.speechmamba.model.AsrModel;
import dev.speechmamba.model.ModelConfig;
import dev.speechmamba.text.BpeTokenizer;
import dev.speechmamba.text.BpeTrainer;
import dev.speechmamba.transcribe.ModelFolder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** The example runs the whole pipeline on a randomly initialised tiny model (well-formed output, no accuracy). */
class TranscribeFileTest {
    @Test
    void printsTextAndWordTimes(@TempDir Path dir) throws Exception {
        BpeTokenizer tokenizer = BpeTrainer.train(List.of("speech mamba on the jvm", "one pass over long audio"),
                new BpeTrainer.Options(32, false));
        Path model = dir.resolve("model");
        try (Backend backend = new FastCpuBackend();
             AsrModel asr = new AsrModel(backend, ModelConfig.named("tiny").withVocabSize(tokenizer.vocabSize()), 3)) {
            ModelFolder.save(model, asr, tokenizer, null);
        }
        float[] pcm = new float[16_000];
        for (int i = 0; i < pcm.length; i++) pcm[i] = (float) (0.3 * Math.sin(2 * Math.PI * 180 * i / 16_000.0));
        Path wav = dir.resolve("tone.wav");
        WavWriter.writePcm16(wav, new Audio(pcm, 16_000));

        PrintStream saved = System.out;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            System.setProperty("speechmamba.backend", "cpu");
            TranscribeFile.main(new String[] {model.toString(), wav.toString()});
        } finally {
            System.setOut(saved);
            System.clearProperty("speechmamba.backend");
        }
        String out = captured.toString(StandardCharsets.UTF_8);
        assertTrue(!out.isEmpty(), "the example prints at least the transcript line");
        for (String line : out.lines().skip(1).toList()) {
            assertTrue(line.matches(" *\\d+\\.\\d\\d +\\d+\\.\\d\\d +[01]\\.\\d\\d  .*"),
                    "word line with start, end and confidence: '" + line + "'");
        }
    }
}
