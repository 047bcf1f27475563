package dev.speechmamba.trainer;

import dev.speechmamba.audio.AudioFiles;
import dev.speechmamba.data.Manifest;
import dev.speechmamba.data.ManifestEntry;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The end-to-end check on real synthesized speech: espeak-ng speaks a few short sentences, the tiny Speech-Mamba
 * trains on them with the default augmentation off, and CTC greedy decoding reproduces every transcript.
 * Takes about 30 s on 2 cores, so it is excluded from the default run; skipped where espeak-ng is missing.
 */
@Tag("slow")
class SpeechTrainingSlowTest {
    static final List<String> SENTENCES = List.of("one two three", "four five six", "seven eight nine", "two four six eight",
            "one three five", "nine seven");

    @Test
    void tinySpeechMambaLearnsEspeakSentences(@TempDir Path dir) throws Exception {
        Assumptions.assumeTrue(espeakWorks(), "espeak-ng is not installed");
        List<ManifestEntry> entries = new ArrayList<>();
        for (int i = 0; i < SENTENCES.size(); i++) {
            Path wav = dir.resolve("utt" + i + ".wav");
            Process p = new ProcessBuilder("espeak-ng", "-v", "en-us", "-s", "150", "-w", wav.toString(), SENTENCES.get(i))
                    .redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            assertEquals(0, p.waitFor(), "espeak-ng failed on '" + SENTENCES.get(i) + "'");
            entries.add(new ManifestEntry(wav.getFileName().toString(), AudioFiles.readMono(wav).duration(), SENTENCES.get(i), "espeak"));
        }
        Path manifest = dir.resolve("train.jsonl");
        Manifest.write(manifest, entries);
        TrainOptions options = TrainOptions.defaults("tiny", manifest, manifest, dir.resolve("run"))
                .withTraining("cpu", 3, 24, 5.0, 1, 3e-3, 20, false, 0f, 1, null).withEpochs(120);
        Trainer.Result r = new Trainer(options).run();
        assertTrue(r.trainLosses().getLast() < 0.1 * r.trainLosses().getFirst(),
                "loss should fall: " + r.trainLosses().getFirst() + " -> " + r.trainLosses().getLast());
        assertEquals(SENTENCES, r.validations().getLast().hypotheses());
    }

    private static boolean espeakWorks() {
        try {
            Process p = new ProcessBuilder("espeak-ng", "--version").redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            return p.waitFor() == 0;
        } catch (java.io.IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
