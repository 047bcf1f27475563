package dev.speechmamba.data;

import dev.speechmamba.audio.Audio;
import dev.speechmamba.audio.WavReader;
import dev.speechmamba.data.VoiceSplit.Split;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class CorpusSynthesizerTest {
    private static final List<String> SENTENCES = List.of("the quick brown fox jumps over the lazy dog",
            "she sells sea shells by the sea shore", "one two three four five", "speech recognition with state spaces",
            "a journey of a thousand miles begins with a single step", "all that glitters is not gold");

    private static CorpusSynthesizer.Settings settings(Path out, int utterances, long seed) {
        CorpusSynthesizer.Settings d = CorpusSynthesizer.Settings.of(out, 0, utterances, seed, 2, 0.5);
        return new CorpusSynthesizer.Settings(out, 0, utterances, seed, 2, 0.5, d.minSnrDb(), d.maxSnrDb(), d.minRate(),
                d.maxRate(), d.minPitch(), d.maxPitch(), 1, 0.1, 0.15, 30, List.of("espeak-ng"), Set.of());
    }

    private static List<ManifestEntry> all(Path out) throws IOException {
        List<ManifestEntry> entries = new ArrayList<>();
        for (Split s : Split.values()) entries.addAll(Manifest.read(out.resolve(s.fileName())));
        entries.sort(java.util.Comparator.comparing(ManifestEntry::audioFilepath));
        return entries;
    }

    @Test
    void aFormantRangeChangesTheAudioButNotThePlan(@TempDir Path dir) throws Exception {
        TtsEngine espeak = new TtsEngines.EspeakNg(1, 1);
        assumeTrue(!espeak.voices().isEmpty(), "espeak-ng is not installed (ci/install-tts.sh): " + espeak.unavailableReason());
        Path plain = dir.resolve("plain"), shifted = dir.resolve("shifted");
        new CorpusSynthesizer(settings(plain, 4, 5), List.of(espeak), SENTENCES, null).run();
        CorpusSynthesizer.Settings d = settings(shifted, 4, 5);
        CorpusSynthesizer.Settings withFormants = new CorpusSynthesizer.Settings(shifted, 0, 4, 5, 2, 0.5, d.minSnrDb(),
                d.maxSnrDb(), d.minRate(), d.maxRate(), d.minPitch(), d.maxPitch(), 1, 0.1, 0.15, 30, List.of("espeak-ng"),
                Set.of(), 0.8, 1.25);
        new CorpusSynthesizer(withFormants, List.of(new TtsEngines.EspeakNg(1, 1)), SENTENCES, null).run();
        List<ManifestEntry> a = all(plain), b = all(shifted);
        assertEquals(a.size(), b.size());
        boolean audioDiffers = false;
        for (int i = 0; i < a.size(); i++) {
            assertEquals(a.get(i).text(), b.get(i).text());
            assertEquals(a.get(i).voice(), b.get(i).voice());
            // The rate is kept apart from the formant shift (to espeak-ng's whole words a minute).
            assertEquals(a.get(i).duration(), b.get(i).duration(), 0.12 * a.get(i).duration());
            audioDiffers |= !java.util.Arrays.equals(Files.readAllBytes(Manifest.resolveAudio(plain.resolve("train.jsonl"), a.get(i))),
                    Files.readAllBytes(Manifest.resolveAudio(shifted.resolve("train.jsonl"), b.get(i))));
        }
        assertTrue(audioDiffers);
        assertTrue(Files.readString(shifted.resolve("corpus.json")).contains("formant_range"));
        assertTrue(!Files.readString(plain.resolve("corpus.json")).contains("formant_range"));
    }

    @Test
    void aFormantRangeMustBePositiveAndOrdered(@TempDir Path dir) {
        CorpusSynthesizer.Settings d = settings(dir, 1, 1);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new CorpusSynthesizer.Settings(dir, 0,
                1, 1, 2, 0.5, d.minSnrDb(), d.maxSnrDb(), d.minRate(), d.maxRate(), d.minPitch(), d.maxPitch(), 1, 0.1, 0.15,
                30, List.of(), Set.of(), 1.2, 0.9));
        assertTrue(e.getMessage().contains("formant range"), e.getMessage());
    }

    @Test
    void tinyEspeakRunIsDeterministicAndVoiceDisjoint(@TempDir Path dir) throws Exception {
        TtsEngine espeak = new TtsEngines.EspeakNg(1, 1);
        assumeTrue(!espeak.voices().isEmpty(), "espeak-ng is not installed (ci/install-tts.sh): " + espeak.unavailableReason());
        Path a = dir.resolve("a"), b = dir.resolve("b");
        CorpusSynthesizer.Report ra = new CorpusSynthesizer(settings(a, 5, 3), List.of(espeak), SENTENCES, null).run();
        new CorpusSynthesizer(settings(b, 5, 3), List.of(new TtsEngines.EspeakNg(1, 1)), SENTENCES, null).run();
        assertEquals(5, ra.kept());
        List<ManifestEntry> ea = all(a), eb = all(b);
        assertEquals(5, ea.size());
        assertEquals(ea, eb, "same seed, same texts, voices and (espeak-ng being deterministic) durations");
        for (ManifestEntry e : ea) {
            assertTrue(SENTENCES.contains(e.text()), e.text());
            Path wav = Manifest.resolveAudio(a.resolve("train.jsonl"), e);
            Audio audio = WavReader.readMono(wav);
            assertEquals(Audio.MODEL_RATE, audio.sampleRate());
            assertEquals(e.duration(), audio.duration(), 1e-3);
            assertTrue(audio.duration() > 0.5 && audio.duration() < 15, "duration " + audio.duration());
            assertEquals(16, WavReader.info(wav).encoding().bitsPerSample());
        }
        Map<Voice, Split> split = ra.voices();
        for (Split s : Split.values()) {
            for (ManifestEntry e : Manifest.read(a.resolve(s.fileName()))) assertEquals(s, split.get(Voice.parse(e.voice())));
        }
        assertTrue(Files.exists(a.resolve("corpus.json")));
    }

    @Test
    void missingEnginesAreSkippedAndNoVoiceIsAnError(@TempDir Path dir) {
        TtsEngine missing = new TtsEngine() {
            @Override public String name() { return "nothing"; }
            @Override public List<Voice> voices() { return List.of(); }
            @Override public String unavailableReason() { return "not installed"; }
            @Override public Invocation command(Voice v, Path t, Path o, double r, double p, double f) { throw new AssertionError(); }
        };
        CorpusSynthesizer.Settings anyEngine = new CorpusSynthesizer.Settings(dir, 0, 2, 1, 2, 0, 5, 30, 0.9, 1.1, 0.9, 1.1, 0,
                0.1, 0.15, 5, List.of(), Set.of());
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> new CorpusSynthesizer(anyEngine, List.of(missing), SENTENCES, null).run());
        assertTrue(e.getMessage().contains("nothing: not installed"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new CorpusSynthesizer(settings(dir, 2, 1), List.of(missing), List.of(), null));
    }

    @Test
    void failingEngineIsRetriedThenSkippedAndCounted(@TempDir Path dir) throws Exception {
        // "false" exits 1 immediately: every utterance fails twice and is skipped; the run stops instead of hanging.
        TtsEngine broken = new TtsEngine() {
            @Override public String name() { return "broken"; }
            @Override public List<Voice> voices() { return List.of(new Voice("broken", "a"), new Voice("broken", "b")); }
            @Override public String unavailableReason() { return null; }
            @Override public Invocation command(Voice v, Path t, Path o, double r, double p, double f) { return new Invocation(List.of("false"), 1); }
        };
        CorpusSynthesizer.Settings s = new CorpusSynthesizer.Settings(dir, 0, 2, 1, 2, 0, 5, 30, 0.9, 1.1, 0.9, 1.1, 0, 0.1, 0.15, 5, List.of(), Set.of());
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> new CorpusSynthesizer(s, List.of(broken), List.of("a b c"), null).run());
        assertTrue(e.getMessage().contains("too many failures"), e.getMessage());
    }

    @Test
    void excludedVoicesAreNeverSpoken(@TempDir Path dir) throws Exception {
        TtsEngine espeak = new TtsEngines.EspeakNg(2, 1);
        assumeTrue(!espeak.voices().isEmpty(), "espeak-ng is not installed (ci/install-tts.sh): " + espeak.unavailableReason());
        List<Voice> installed = espeak.voices();
        // hold out every voice but four (and one the engine does not have), so that most draws would hit a held-out one
        Set<String> heldOut = new java.util.HashSet<>(installed.subList(4, installed.size()).stream().map(Voice::id).toList());
        heldOut.add("espeak-ng:xx-none");
        CorpusSynthesizer.Settings d = settings(dir, 6, 2);
        CorpusSynthesizer.Settings s = new CorpusSynthesizer.Settings(dir, 0, 6, 2, 2, 0, d.minSnrDb(), d.maxSnrDb(), d.minRate(),
                d.maxRate(), d.minPitch(), d.maxPitch(), 2, 0.1, 0.15, 30, List.of("espeak-ng"), heldOut);
        CorpusSynthesizer.Report r = new CorpusSynthesizer(s, List.of(espeak), SENTENCES, null).run();
        assertEquals(6, r.kept());
        assertEquals(4, r.voices().size(), "only the voices not held out are split: " + r.voices());
        for (ManifestEntry e : all(dir)) assertTrue(!heldOut.contains(e.voice()), e.voice() + " was held out");
        assertTrue(r.notes().contains("excluded " + (installed.size() - 4) + " installed voices held out elsewhere (" + heldOut.size()
                + " listed)"), r.notes().toString());

        Set<String> everything = new java.util.HashSet<>(installed.stream().map(Voice::id).toList());
        CorpusSynthesizer.Settings none = new CorpusSynthesizer.Settings(dir.resolve("none"), 0, 2, 2, 2, 0, d.minSnrDb(), d.maxSnrDb(),
                d.minRate(), d.maxRate(), d.minPitch(), d.maxPitch(), 2, 0.1, 0.15, 30, List.of("espeak-ng"), everything);
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> new CorpusSynthesizer(none, List.of(espeak), SENTENCES, null).run());
        assertTrue(e.getMessage().contains("--exclude-voices leaves no installed voice"), e.getMessage());
    }

    @Test
    void noiseHitsTheRequestedSnr() {
        float[] x = new float[16000];
        for (int i = 0; i < x.length; i++) x[i] = (float) (0.5 * Math.sin(i * 0.05));
        float[] noisy = x.clone();
        CorpusSynthesizer.addNoise(noisy, 10, new Random(1));
        double signal = 0, noise = 0;
        for (int i = 0; i < x.length; i++) {
            signal += x[i] * x[i];
            noise += (noisy[i] - x[i]) * (noisy[i] - x[i]);
        }
        assertEquals(10, 10 * Math.log10(signal / noise), 0.2);
    }

    @Test
    void silenceIsTrimmedToAShortMargin() {
        float[] x = new float[16000 * 3];
        for (int i = 16000; i < 32000; i++) x[i] = 0.5f;
        float[] trimmed = CorpusSynthesizer.trimSilence(x, 16000);
        assertEquals(16000 + 2 * (int) Math.round(CorpusSynthesizer.KEEP_SILENCE_S * 16000), trimmed.length);
        assertEquals(0, CorpusSynthesizer.trimSilence(new float[100], 16000).length);
    }
}
