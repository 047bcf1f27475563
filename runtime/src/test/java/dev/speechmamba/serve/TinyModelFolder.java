package dev.speechmamba.serve;

import dev.speechmamba.backend.Backend;
import dev.speechmamba.backend.fastcpu.FastCpuBackend;
import dev.speechmamba.model.AsrModel;
import dev.speechmamba.model.ModelConfig;
import dev.speechmamba.lm.KneserNeyTrainer;
import dev.speechmamba.lm.TokenLanguageModel;
import dev.speechmamba.text.BpeTokenizer;
import dev.speechmamba.text.BpeTrainer;
import dev.speechmamba.transcribe.ModelFolder;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * A real model folder for serving tests: the shipped {@code tiny} config, randomly initialised (its transcripts are
 * arbitrary words, but every stage of the pipeline runs), with a BPE tokenizer trained on a small word list.
 */
final class TinyModelFolder {

    private TinyModelFolder() { }

    static void write(Path dir, long seed) throws IOException {
        writeModel(dir, seed);
    }

    /** The same folder with its own 3-gram LM ({@code lm.arpa.gz}) over the tokenizer's pieces of the same lines. */
    static void writeWithLanguageModel(Path dir, long seed) throws IOException {
        Written written = writeModel(dir, seed);
        BpeTokenizer tokenizer = written.tokenizer();
        List<List<String>> pieces = written.lines().stream().map(l -> TokenLanguageModel.lmWords(tokenizer, l)).toList();
        new KneserNeyTrainer(KneserNeyTrainer.Options.unpruned(3)).train(pieces, TokenLanguageModel.pieceVocabulary(tokenizer))
                .writeArpa(dir.resolve("lm.arpa.gz"));
    }

    private record Written(List<String> lines, BpeTokenizer tokenizer) { }

    private static Written writeModel(Path dir, long seed) throws IOException {
        List<String> vocabulary = List.of("speech", "mamba", "serves", "audio", "over", "http", "in", "batches", "on", "the", "gpu", "and", "cpu");
        SplittableRandom random = new SplittableRandom(seed);
        List<String> lines = new ArrayList<>();
        for (int line = 0; line < 150; line++) {
            List<String> words = new ArrayList<>();
            for (int w = 0; w < 5; w++) words.add(vocabulary.get(random.nextInt(vocabulary.size())));
            lines.add(String.join(" ", words));
        }
        BpeTokenizer tokenizer = BpeTrainer.train(lines, new BpeTrainer.Options(48, false));
        try (Backend backend = new FastCpuBackend();
             AsrModel model = new AsrModel(backend, ModelConfig.named("tiny").withVocabSize(tokenizer.vocabSize()), seed)) {
            ModelFolder.save(dir, model, tokenizer, null);
        }
        return new Written(lines, tokenizer);
    }

    /** Voiced bursts (a 150 Hz harmonic tone) between short pauses, at 16 kHz. */
    static float[] speechLike(double seconds) {
        float[] pcm = new float[(int) Math.round(seconds * 16_000)];
        for (int i = 0; i < pcm.length; i++) {
            double t = i / 16_000.0;
            boolean voiced = ((int) (t / 0.3)) % 3 != 2;
            pcm[i] = voiced ? (float) (0.3 * Math.sin(2 * Math.PI * 150 * t) + 0.1 * Math.sin(2 * Math.PI * 450 * t)) : 0f;
        }
        return pcm;
    }
}
