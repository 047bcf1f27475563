package dev.speechmamba.bench;

import dev.speechmamba.audio.Audio;
import dev.speechmamba.audio.Fbank;
import dev.speechmamba.audio.GlobalCmvn;
import dev.speechmamba.audio.WavWriter;
import dev.speechmamba.backend.Backend;
import dev.speechmamba.backend.Backends;
import dev.speechmamba.cli.CliRun;
import dev.speechmamba.data.Manifest;
import dev.speechmamba.data.ManifestEntry;
import dev.speechmamba.model.AsrModel;
import dev.speechmamba.model.ModelConfig;
import dev.speechmamba.text.BpeTokenizer;
import dev.speechmamba.text.BpeTrainer;
import dev.speechmamba.transcribe.ModelFolder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code bench scaling --model --manifests}: the accuracy-vs-length table is well-formed (random-weight model). */
class LengthAccuracyTest {

    private static String[] run(String... args) {
        return CliRun.of(args).asArray();
    }

    private static float[] tone(double seconds, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        float[] pcm = new float[(int) (seconds * 16_000)];
        for (int i = 0; i < pcm.length; i++) pcm[i] = (float) (0.3 * Math.sin(i * 0.05 * (1 + seed % 3)) + 0.01 * rng.nextGaussian());
        return pcm;
    }

    /** A manifest of {@code count} recordings of {@code seconds} each; returns the reference word count. */
    private static int manifest(Path dir, String name, int count, double seconds) throws Exception {
        List<ManifestEntry> entries = new ArrayList<>();
        int words = 0;
        for (int i = 0; i < count; i++) {
            String wav = name + "-" + i + ".wav";
            WavWriter.writePcm16(dir.resolve(wav), new Audio(tone(seconds, i), 16_000));
            String text = i % 2 == 0 ? "the cat sat" : "a dog ran far away";
            words += text.split(" ").length;
            entries.add(new ManifestEntry(wav, seconds, text, "v0"));
        }
        Manifest.write(dir.resolve(name + ".jsonl"), entries);
        return words;
    }

    /** A random-weight tiny model folder (tokenizer and CMVN included) under {@code dir}/model. */
    private static Path randomTinyModel(Path dir) throws Exception {
        BpeTokenizer tokenizer = BpeTrainer.train(List.of("the cat sat on the mat", "a dog ran far away"),
                new BpeTrainer.Options(30, false));
        GlobalCmvn.Accumulator acc = new GlobalCmvn.Accumulator(80);
        acc.add(new Fbank().compute(tone(1.0, 1)));
        Path modelDir = dir.resolve("model");
        try (Backend be = Backends.create("cpu");
             AsrModel model = new AsrModel(be, ModelConfig.named("tiny").withVocabSize(tokenizer.vocabSize()), 3)) {
            ModelFolder.save(modelDir, model, tokenizer, acc.finish());
        }
        return modelDir;
    }

    @Test
    void writesOneRowPerManifestAndAttention(@TempDir Path dir) throws Exception {
        Path modelDir = randomTinyModel(dir);
        int shortWords = manifest(dir, "short", 3, 1.5), longWords = manifest(dir, "long", 1, 12);
        Path out = dir.resolve("out");
        String[] r = run("bench", "scaling", "--device", "cpu", "--model", modelDir.toString(), "--manifests",
                dir.resolve("short.jsonl") + "," + dir.resolve("long.jsonl"), "--window", "8", "--out", out.toString());
        assertEquals("0", r[0], r[1] + r[2]);
        List<String> lines = Files.readAllLines(out.resolve("accuracy.csv"));
        assertEquals(LengthAccuracy.CSV_HEADER, lines.getFirst());
        assertEquals(5, lines.size(), "2 manifests × (full, window=8): " + lines);
        String[] expectedAttention = {"full", "window=8", "full", "window=8"};
        int[] expectedWords = {shortWords, shortWords, longWords, longWords};
        for (int i = 0; i < 4; i++) {
            String[] cells = lines.get(i + 1).split(",");
            assertEquals(11, cells.length, lines.get(i + 1));
            assertEquals(expectedAttention[i], cells[1]);
            double wer = Double.parseDouble(cells[5]);
            assertTrue(wer >= 0 && Double.isFinite(wer), lines.get(i + 1));
            assertEquals(expectedWords[i], Integer.parseInt(cells[9]), "reference words of " + cells[0]);
        }
        assertTrue(Files.readString(out.resolve("accuracy.md")).contains("| long.jsonl | 1 | 12 s | window=8 |"));
        assertTrue(!Files.exists(out.resolve("scaling.csv")), "accuracy mode does not time");
    }

    @Test
    void accuracyAttentionPicksTheRows(@TempDir Path dir) throws Exception {
        Path modelDir = randomTinyModel(dir);
        manifest(dir, "short", 2, 1.0);
        Path out = dir.resolve("out");
        String[] r = run("bench", "scaling", "--device", "cpu", "--model", modelDir.toString(), "--manifests",
                dir.resolve("short.jsonl").toString(), "--window", "8", "--accuracy-attention", "window",
                "--out", out.toString());
        assertEquals("0", r[0], r[1] + r[2]);
        List<String> lines = Files.readAllLines(out.resolve("accuracy.csv"));
        assertEquals(2, lines.size(), "window only: " + lines);
        assertEquals("window=8", lines.get(1).split(",")[1]);

        String[] global = run("bench", "scaling", "--device", "cpu", "--model", modelDir.toString(), "--manifests",
                dir.resolve("short.jsonl").toString(), "--window", "8", "--global-tokens", "2",
                "--accuracy-attention", "full,window", "--out", out.toString());
        assertEquals("0", global[0], global[1] + global[2]);
        lines = Files.readAllLines(out.resolve("accuracy.csv"));
        assertEquals(List.of("full", "window=8+global=2"), lines.stream().skip(1).map(l -> l.split(",")[1]).toList());
        String[] fullOnly = run("bench", "scaling", "--device", "cpu", "--model", modelDir.toString(), "--manifests",
                dir.resolve("short.jsonl").toString(), "--global-tokens", "2", "--accuracy-attention", "full",
                "--out", out.toString());
        assertEquals("2", fullOnly[0], fullOnly[1] + fullOnly[2]);
        assertTrue(fullOnly[2].contains("--global-tokens needs 'window' in --accuracy-attention"), fullOnly[2]);

        String[] bad = run("bench", "scaling", "--device", "cpu", "--model", modelDir.toString(), "--manifests",
                dir.resolve("short.jsonl").toString(), "--accuracy-attention", "sliding", "--out", out.toString());
        assertEquals("2", bad[0], bad[1] + bad[2]);
        assertTrue(bad[2].contains("--accuracy-attention takes full and/or window, got 'sliding'"), bad[2]);
    }

    @Test
    void manifestsWithoutModelIsAUsageError(@TempDir Path dir) throws Exception {
        manifest(dir, "m", 1, 0.5);
        String[] r = run("bench", "scaling", "--manifests", dir.resolve("m.jsonl").toString(), "--out", dir.toString());
        assertEquals("2", r[0], r[1] + r[2]);
        assertTrue(r[2].contains("--model is required"), r[2]);
    }
}
