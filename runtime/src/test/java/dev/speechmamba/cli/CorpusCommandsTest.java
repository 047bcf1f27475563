package dev.speechmamba.cli;

import dev.speechmamba.audio.Audio;
import dev.speechmamba.audio.WavWriter;
import dev.speechmamba.data.Manifest;
import dev.speechmamba.data.ManifestEntry;
import dev.speechmamba.text.BpeTokenizer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** synth-corpus, long-form and train-bpe through the command line. */
class CorpusCommandsTest {
    private static CliRun run(String... args) {
        return CliRun.of(args);
    }

    @Test
    void helpAndArgumentErrors() {
        for (String cmd : List.of("synth-corpus", "long-form", "train-bpe")) {
            CliRun r = run(cmd, "--help");
            assertEquals(0, r.code(), cmd + ": " + r.err());
            assertTrue(r.out().contains("Usage:"), r.out());
        }
        CliRun noAmount = run("synth-corpus", "--out", "/tmp/never-written-corpus");
        assertEquals(Main.EXIT_FAILURE, noAmount.code());
        assertTrue(noAmount.err().contains("--hours") && noAmount.err().contains("--utterances"), noAmount.err());
        CliRun badNoise = run("synth-corpus", "--out", "/tmp/never-written-corpus", "--utterances", "3", "--noise-prob", "2");
        assertEquals(Main.EXIT_FAILURE, badNoise.code());
        assertTrue(badNoise.err().contains("--noise-prob"), badNoise.err());
        CliRun missing = run("long-form", "/no/such/manifest.jsonl", "--out", "/tmp/x");
        assertEquals(Main.EXIT_FAILURE, missing.code());
        assertTrue(missing.err().contains("/no/such/manifest.jsonl"), missing.err());
    }

    @Test
    void trainBpeAndLongFormFromAManifest(@TempDir Path dir) throws Exception {
        List<ManifestEntry> entries = new ArrayList<>();
        String[] texts = {"the cat sat on the mat", "the dog sat on the log", "a cat and a dog"};
        for (int i = 0; i < 30; i++) {
            String rel = "wavs/" + i + ".wav";
            WavWriter.writePcm16(dir.resolve(rel), new Audio(new float[Audio.MODEL_RATE * 5], Audio.MODEL_RATE));
            entries.add(new ManifestEntry(rel, 5.0, texts[i % 3], "tts:v" + (i % 2)));
        }
        Path manifest = dir.resolve("train.jsonl");
        Manifest.write(manifest, entries);

        CliRun bpe = run("train-bpe", manifest.toString(), "--vocab-size", "40", "--out", dir.resolve("bpe.json").toString());
        assertEquals(0, bpe.code(), bpe.err());
        BpeTokenizer tok = BpeTokenizer.load(dir.resolve("bpe.json"));
        assertEquals("the cat sat on the mat", tok.decode(tok.encode("the cat sat on the mat")));

        CliRun lf = run("long-form", manifest.toString(), "--out", dir.resolve("lf").toString(), "--minutes", "0", "--gap", "0.5,0.5");
        assertEquals(0, lf.code(), lf.err());
        List<ManifestEntry> recordings = Manifest.read(dir.resolve("lf/longform-45-60s.jsonl"));
        assertEquals(2, recordings.size(), lf.out()); // 15 utterances of 5 s per voice: one 45-60 s recording each
        assertTrue(Files.exists(dir.resolve("lf/longform-45-60s-segments.jsonl")));
    }
}
