package dev.speechmamba.transcribe;

import dev.speechmamba.backend.Backend;
import dev.speechmamba.model.AsrModel;
import dev.speechmamba.model.ModelConfig;
import dev.speechmamba.text.BpeTokenizer;
import dev.speechmamba.text.BpeTrainer;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/** A randomly initialised {@code tiny} model with a matching tokenizer, and synthetic waveforms. */
final class TinyModels {
    private TinyModels() { }

    static BpeTokenizer tokenizer() {
        String[] words = {"the", "cat", "sat", "on", "mat", "a", "dog", "ran", "far", "away", "speech", "mamba"};
        SplittableRandom rng = new SplittableRandom(7);
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            StringBuilder s = new StringBuilder();
            for (int w = 0; w < 6; w++) s.append(w == 0 ? "" : " ").append(words[rng.nextInt(words.length)]);
            lines.add(s.toString());
        }
        return BpeTrainer.train(lines, new BpeTrainer.Options(40, false));
    }

    static AsrModel tinyModel(Backend backend, BpeTokenizer tokenizer, long seed) {
        return new AsrModel(backend, ModelConfig.named("tiny").withVocabSize(tokenizer.vocabSize()), seed);
    }

    /** Harmonic bursts separated by near-silence, 16 kHz. */
    static float[] waveform(double seconds, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        float[] pcm = new float[(int) (seconds * 16_000)];
        double f0 = 120 + rng.nextDouble() * 100;
        for (int i = 0; i < pcm.length; i++) {
            double t = i / 16_000.0;
            boolean voiced = ((int) (t / 0.35)) % 3 != 2;
            double v = voiced ? 0.3 * Math.sin(2 * Math.PI * f0 * t) + 0.1 * Math.sin(2 * Math.PI * 3 * f0 * t) : 0;
            pcm[i] = (float) (v + 0.003 * rng.nextGaussian());
        }
        return pcm;
    }
}
