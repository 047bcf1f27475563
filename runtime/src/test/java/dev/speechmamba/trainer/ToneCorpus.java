package dev.speechmamba.trainer;

import dev.speechmamba.audio.Audio;
import dev.speechmamba.audio.WavWriter;
import dev.speechmamba.data.Manifest;
import dev.speechmamba.data.ManifestEntry;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Synthetic "speech" that runs everywhere (no TTS engine): each letter a–f is a 120 ms tone of its own pitch
 * with a smooth envelope, letters of a word are 30 ms apart, words 150 ms apart, plus faint noise. A model that
 * can hear pitch and count can learn to transcribe it, which is all an end-to-end training test needs.
 */
final class ToneCorpus {
    static final int RATE = 16_000;

    private ToneCorpus() { }

    static float[] render(String text, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        List<Float> out = new ArrayList<>();
        silence(out, 0.1);
        String[] words = text.strip().split(" +");
        for (int w = 0; w < words.length; w++) {
            if (w > 0) silence(out, 0.15);
            for (int i = 0; i < words[w].length(); i++) {
                if (i > 0) silence(out, 0.03);
                int letter = words[w].charAt(i) - 'a';
                if (letter < 0 || letter > 5) throw new IllegalArgumentException("tone corpus letters are a-f, got " + text);
                double hz = 300 * Math.pow(1.5, letter);
                int n = (int) (0.12 * RATE);
                for (int k = 0; k < n; k++) {
                    double envelope = Math.sin(Math.PI * k / n);
                    out.add((float) (0.3 * envelope * Math.sin(2 * Math.PI * hz * k / RATE)));
                }
            }
        }
        silence(out, 0.1);
        float[] samples = new float[out.size()];
        for (int i = 0; i < samples.length; i++) samples[i] = out.get(i) + (float) (1e-3 * rng.nextGaussian());
        return samples;
    }

    private static void silence(List<Float> out, double seconds) {
        for (int k = 0; k < (int) (seconds * RATE); k++) out.add(0f);
    }

    /** Writes one WAV per transcript and a manifest referencing them (relative paths). */
    static Path write(Path dir, String name, List<String> transcripts, long seed) throws IOException {
        Files.createDirectories(dir.resolve(name));
        List<ManifestEntry> entries = new ArrayList<>();
        for (int i = 0; i < transcripts.size(); i++) {
            float[] samples = render(transcripts.get(i), seed + i);
            String rel = name + "/utt" + i + ".wav";
            WavWriter.writePcm16(dir.resolve(rel), new Audio(samples, RATE));
            entries.add(new ManifestEntry(rel, samples.length / (double) RATE, transcripts.get(i), "tone"));
        }
        Path manifest = dir.resolve(name + ".jsonl");
        Manifest.write(manifest, entries);
        return manifest;
    }

    /**
     * A tone corpus of {@link TrainerEndToEndTest#TRANSCRIPTS} in {@code dir} and the options of a 2-step tiny-model
     * run on it into {@code dir/out}: the tests of single training options vary this run and compare.
     */
    static TrainOptions twoStepTinyRun(Path dir, String out) throws IOException {
        Path train = write(dir, "train", TrainerEndToEndTest.TRANSCRIPTS, 200);
        return TrainOptions.defaults("tiny", train, null, dir.resolve(out))
                .withTraining("cpu", 5, 16, 2.0, 2, 2e-3, 4, false, null, 1, null).withEpochs(10).withMaxSteps(2);
    }
}
