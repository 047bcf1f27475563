package dev.speechmamba.trainer;

import dev.speechmamba.audio.Audio;
import dev.speechmamba.audio.EdgeSilence;
import dev.speechmamba.audio.Features;
import dev.speechmamba.audio.GlobalCmvn;
import dev.speechmamba.audio.SpecAugment;
import dev.speechmamba.audio.SpeechLevel;
import dev.speechmamba.audio.VocalTractPerturbation;
import dev.speechmamba.audio.WavWriter;
import dev.speechmamba.model.AsrBatch;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FeaturePipelineTest {
    @TempDir
    static Path dir;
    static List<Utterance> utterances;

    @BeforeAll
    static void corpus() throws Exception {
        utterances = Utterance.readManifest(ToneCorpus.write(dir, "cmvn", List.of("ab", "cd ef", "fa", "bed ca", "e"), 5));
    }

    /**
     * Training reads speech in the levels transcription brings it into: two copies of an utterance below them, 10 dB
     * apart, give the same features, unless the pipeline is told to read recordings as recorded.
     */
    @Test
    void utterancesAreBroughtIntoTheSpeechLevelsTranscriptionUses() throws Exception {
        Utterance u = utterances.get(1);
        Audio audio = FeaturePipeline.readAudio(u);
        Utterance quiet = scaled(u, audio, 0.1f, "quiet.wav"), quieter = scaled(u, audio, 0.0316f, "quieter.wav");
        FeaturePipeline pipeline = new FeaturePipeline(80, null, null, false);
        assertEquals(Optional.of(SpeechLevel.TRAINING_RANGE), pipeline.speechLevel());
        float[] a = pipeline.features(quiet, 0).data(), b = pipeline.features(quieter, 0).data();
        assertEquals(a.length, b.length);
        for (int i = 0; i < a.length; i++) assertEquals(a[i], b[i], 1e-3f, "feature " + i);
        FeaturePipeline asRecorded = pipeline.withSpeechLevel(Optional.empty());
        float[] c = asRecorded.features(quiet, 0).data(), d = asRecorded.features(quieter, 0).data();
        // 10 dB is 2.3 nats in every band that is not at the log floor.
        assertEquals(Math.log(1 / (0.316 * 0.316)), c[40] - d[40], 0.05);
    }

    private static Utterance scaled(Utterance u, Audio audio, float gain, String name) throws java.io.IOException {
        float[] samples = audio.samples().clone();
        for (int i = 0; i < samples.length; i++) samples[i] *= gain;
        Path file = dir.resolve(name);
        WavWriter.writeFloat32(file, new Audio(samples, audio.sampleRate()));
        return new Utterance(u.index(), file, null, u.duration(), u.text());
    }

    /** Statistics equal a direct two-pass computation, whatever the number of worker threads. */
    @Test
    void cmvnStatsMatchDirectComputationForAnyThreadCount() throws Exception {
        GlobalCmvn one = FeaturePipeline.computeCmvn(utterances, 80, 1);
        GlobalCmvn three = FeaturePipeline.computeCmvn(utterances, 80, 3);
        FeaturePipeline raw = new FeaturePipeline(80, null, null, false);
        List<Features> all = new ArrayList<>();
        long frames = 0;
        for (Utterance u : utterances) {
            Features f = raw.features(u, 0);
            all.add(f);
            frames += f.frames();
        }
        assertEquals(frames, one.frames());
        for (int d = 0; d < 80; d++) {
            double sum = 0, sq = 0;
            for (Features f : all) for (int t = 0; t < f.frames(); t++) sum += f.get(t, d);
            double mean = sum / frames;
            for (Features f : all) for (int t = 0; t < f.frames(); t++) sq += (f.get(t, d) - mean) * (f.get(t, d) - mean);
            double std = Math.sqrt(sq / frames);
            assertEquals(mean, one.mean(d), 1e-9 * Math.max(1, Math.abs(mean)), "mean of bin " + d);
            assertEquals(std, one.std(d), 1e-9 * Math.max(1, std), "std of bin " + d);
            assertEquals(one.mean(d), three.mean(d), 1e-9 * Math.max(1, Math.abs(mean)));
            assertEquals(one.std(d), three.std(d), 1e-9 * Math.max(1, std));
        }
        // Normalized training features have zero mean and unit variance per bin.
        FeaturePipeline normalized = new FeaturePipeline(80, one, null, false);
        double sum = 0, sq = 0;
        for (Utterance u : utterances) {
            Features f = normalized.features(u, 0);
            for (int t = 0; t < f.frames(); t++) {
                sum += f.get(t, 40);
                sq += f.get(t, 40) * (double) f.get(t, 40);
            }
        }
        assertEquals(0, sum / frames, 1e-4);
        assertEquals(1, sq / frames, 1e-3);
    }

    /** Augmentation is a function of the seed: same seed same features, other seed other features. */
    @Test
    void augmentationIsSeeded() throws Exception {
        GlobalCmvn cmvn = FeaturePipeline.computeCmvn(utterances, 80, 2);
        FeaturePipeline aug = new FeaturePipeline(80, cmvn, new SpecAugment(), true);
        Utterance u = utterances.get(3);
        Features a = aug.features(u, 42), b = aug.features(u, 42);
        assertEquals(a.frames(), b.frames());
        assertArrayEquals(a.data(), b.data());
        boolean differs = false;
        for (long s = 43; s < 48 && !differs; s++) {
            Features c = aug.features(u, s);
            differs = c.frames() != a.frames() || !java.util.Arrays.equals(c.data(), a.data());
        }
        assertTrue(differs, "other seeds give other augmentations");
    }

    /**
     * VTLP warps the filterbank per utterance as a function of the seed; it keeps the speed draws of a seed (the
     * frame count), and a pipeline for another filterbank size is refused.
     */
    @Test
    void vocalTractPerturbationIsSeededAndKeepsTheSpeedDraw() throws Exception {
        GlobalCmvn cmvn = FeaturePipeline.computeCmvn(utterances, 80, 1);
        FeaturePipeline speedOnly = new FeaturePipeline(80, cmvn, null, true);
        FeaturePipeline warped = new FeaturePipeline(80, cmvn, null, true, new VocalTractPerturbation(80, 0.1));
        Utterance u = utterances.get(3);
        int changed = 0;
        for (long seed = 1; seed <= 6; seed++) {
            Features a = warped.features(u, seed), b = warped.features(u, seed), plain = speedOnly.features(u, seed);
            assertArrayEquals(a.data(), b.data());
            assertEquals(plain.frames(), a.frames(), "same speed factor drawn with and without VTLP");
            if (!java.util.Arrays.equals(a.data(), plain.data())) changed++;
        }
        assertTrue(changed >= 4, "most draws warp the filterbank (" + changed + " of 6)");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new FeaturePipeline(80, cmvn, null, false, new VocalTractPerturbation(40, 0.1)));
        assertTrue(e.getMessage().contains("40-bin"), e.getMessage());
    }

    /**
     * Edge silence lengthens the padded utterances by whole seconds' worth of frames at most, as a function of the
     * seed, and leaves the seed's speed draw (and so the unpadded utterances) as they were.
     */
    @Test
    void edgeSilenceIsSeededAndLeavesTheOtherDrawsAlone() throws Exception {
        GlobalCmvn cmvn = FeaturePipeline.computeCmvn(utterances, 80, 1);
        FeaturePipeline speedOnly = new FeaturePipeline(80, cmvn, null, true);
        FeaturePipeline padded = new FeaturePipeline(80, cmvn, null, true, null, EdgeSilence.upTo(0.5));
        Utterance u = utterances.get(3);
        int longer = 0, same = 0;
        for (long seed = 1; seed <= 12; seed++) {
            Features a = padded.features(u, seed), b = padded.features(u, seed), plain = speedOnly.features(u, seed);
            assertArrayEquals(a.data(), b.data());
            assertTrue(a.frames() >= plain.frames() && a.frames() <= plain.frames() + 101, a.frames() + " vs " + plain.frames());
            if (a.frames() > plain.frames() + 2) longer++;
            if (java.util.Arrays.equals(a.data(), plain.data())) same++;
        }
        assertTrue(longer >= 2 && same >= 2, "about half padded: " + longer + " longer, " + same + " unchanged of 12");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> TrainOptions.defaults("tiny", dir.resolve("t.jsonl"), null, dir.resolve("o")).withEdgeSilence(0.001));
        assertTrue(e.getMessage().contains("--edge-silence"), e.getMessage());
    }

    /** Prefetching loader: plan order, padding and targets as given, identical with 1 or 3 threads. */
    @Test
    void loaderKeepsPlanOrderAndIsThreadIndependent() throws Exception {
        GlobalCmvn cmvn = FeaturePipeline.computeCmvn(utterances, 80, 1);
        FeaturePipeline aug = new FeaturePipeline(80, cmvn, new SpecAugment(), true);
        int[][] tokens = {{2}, {3, 4}, {5}, {6, 7}, {8}};
        List<int[]> plan = List.of(new int[] {4, 0}, new int[] {1}, new int[] {2, 3});
        List<AsrBatch> single = new ArrayList<>(), multi = new ArrayList<>();
        try (BatchLoader l1 = new BatchLoader(utterances, tokens, aug, 1, 1); BatchLoader l3 = new BatchLoader(utterances, tokens, aug, 3, 2)) {
            l1.iterate(plan, 1, 9, 2).forEachRemaining(b -> single.add(b.batch()));
            l3.iterate(plan, 1, 9, 2).forEachRemaining(b -> multi.add(b.batch()));
        }
        assertEquals(2, single.size(), "starts at plan position 1");
        for (int i = 0; i < 2; i++) {
            assertArrayEquals(single.get(i).features(), multi.get(i).features());
            assertArrayEquals(single.get(i).frameLengths(), multi.get(i).frameLengths());
        }
        assertArrayEquals(new int[] {3, 4}, single.get(0).targets()[0]);
        assertArrayEquals(new int[] {6, 7}, single.get(1).targets()[1]);
    }

    /** A manifest offset selects [offset, offset + duration) of the file; without one the whole file is read. */
    @Test
    void manifestOffsetSelectsASlice() throws Exception {
        Path m = dir.resolve("slice.jsonl");
        Files.writeString(m, "{\"audio_filepath\": \"cmvn/utt1.wav\", \"duration\": 0.5, \"offset\": 0.25, \"text\": \"cd\"}\n"
                + "{\"audio_filepath\": \"cmvn/utt1.wav\", \"duration\": 0.5, \"text\": \"cd ef\"}\n");
        List<Utterance> u = Utterance.readManifest(m);
        float[] whole = FeaturePipeline.readAudio(u.get(1)).samples();
        float[] slice = FeaturePipeline.readAudio(u.get(0)).samples();
        assertEquals(8000, slice.length);
        assertArrayEquals(java.util.Arrays.copyOfRange(whole, 4000, 12000), slice);
        assertTrue(whole.length > 12000);
    }

    /** A missing audio file surfaces as one error naming it. */
    @Test
    void missingAudioIsNamed() throws Exception {
        Path bad = dir.resolve("bad.jsonl");
        Files.writeString(bad, "{\"audio_filepath\": \"nowhere.wav\", \"duration\": 1.0, \"text\": \"ab\"}\n");
        List<Utterance> u = Utterance.readManifest(bad);
        FeaturePipeline p = new FeaturePipeline(80, null, null, false);
        try (BatchLoader loader = new BatchLoader(u, null, p, 1, 1)) {
            UncheckedIOException e = assertThrows(UncheckedIOException.class,
                    () -> loader.iterate(List.of(new int[] {0}), 0, 0, 0).next());
            assertTrue(e.getMessage().contains("nowhere.wav"), e.getMessage());
        }
        assertFalse(Files.exists(dir.resolve("nowhere.wav")));
    }
}
