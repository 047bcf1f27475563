package dev.speechmamba.data;

import dev.speechmamba.audio.Audio;
import dev.speechmamba.audio.WavReader;
import dev.speechmamba.audio.WavWriter;
import dev.speechmamba.data.LongFormBuilder.Target;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Long-form sets from synthetic short WAVs (no TTS engine needed). */
class LongFormBuilderTest {

    /** Writes utterances of 4-9 s whose samples encode (voice, index) so the concatenation can be checked. */
    private static Path corpus(Path dir, int voices, int perVoice) throws IOException {
        List<ManifestEntry> entries = new ArrayList<>();
        Random rng = new Random(1);
        for (int i = 0; i < perVoice; i++) {
            for (int v = 0; v < voices; v++) {
                int samples = (4 + rng.nextInt(6)) * Audio.MODEL_RATE;
                float[] x = new float[samples];
                java.util.Arrays.fill(x, level(v, i));
                String rel = "wavs/v" + v + "/" + i + ".wav";
                WavWriter.writePcm16(dir.resolve(rel), new Audio(x, Audio.MODEL_RATE));
                entries.add(new ManifestEntry(rel, samples / (double) Audio.MODEL_RATE, "v" + v + " u" + i, "tts:v" + v));
            }
        }
        Path manifest = dir.resolve("test.jsonl");
        Manifest.write(manifest, entries);
        return manifest;
    }

    private static float level(int voice, int index) { return (voice * 40 + index + 1) / 1024f; }

    @Test
    void paperSetHoldsOneVoiceWithConsecutiveUtterances(@TempDir Path dir) throws IOException {
        Path manifest = corpus(dir, 3, 25);
        LongFormBuilder.Result r = new LongFormBuilder(0.2, 0.6, 5).build(manifest, Target.paper(), dir.resolve("out"));
        assertTrue(r.recordings() >= 6, "recordings: " + r.recordings());
        List<ManifestEntry> longForm = Manifest.read(r.manifest());
        assertEquals(r.recordings(), longForm.size());
        for (ManifestEntry e : longForm) {
            assertTrue(e.duration() >= 45 && e.duration() <= 60, "duration " + e.duration());
            assertTrue(!e.voice().contains(","), "one voice per recording: " + e.voice());
            Audio audio = WavReader.read16kMono(Manifest.resolveAudio(r.manifest(), e));
            assertEquals(e.duration(), audio.duration(), 1e-3);
            List<String> texts = new ArrayList<>();
            int previousIndex = -1;
            for (ManifestEntry.Segment s : e.segments()) {
                texts.add(s.text());
                int voice = Integer.parseInt(s.text().substring(1, s.text().indexOf(' ')));
                int index = Integer.parseInt(s.text().substring(s.text().indexOf('u') + 1));
                if (previousIndex >= 0) assertEquals(previousIndex + 1, index, "consecutive utterances");
                previousIndex = index;
                // The audio at the segment's middle is that utterance; just before it (inside the gap) is silence.
                int mid = (int) Math.round((s.offset() + s.duration() / 2) * Audio.MODEL_RATE);
                assertEquals(level(voice, index), audio.samples()[mid], 1e-4, s.text());
                if (s.offset() > 0.1) assertEquals(0f, audio.samples()[(int) Math.round((s.offset() - 0.05) * Audio.MODEL_RATE)], 1e-6);
            }
            assertEquals(String.join(" ", texts), e.text());
        }
        List<ManifestEntry> segments = Manifest.read(dir.resolve("out/longform-45-60s-segments.jsonl"));
        assertEquals(r.utterancesUsed(), segments.size());
        assertTrue(segments.stream().allMatch(s -> s.offset() != null));
    }

    @Test
    void minuteSetsMayChangeVoiceAndReachTheirLength(@TempDir Path dir) throws IOException {
        Path manifest = corpus(dir, 4, 40); // about 16 minutes in total
        LongFormBuilder builder = new LongFormBuilder(0.3, 0.3, 1);
        LongFormBuilder.Result ten = builder.build(manifest, Target.minutes(10), dir.resolve("out"));
        assertEquals(1, ten.recordings());
        ManifestEntry e = Manifest.read(ten.manifest()).get(0);
        assertTrue(e.duration() >= 570 && e.duration() <= 630, "duration " + e.duration());
        assertTrue(e.voice().contains(","), "several voices: " + e.voice());
        LongFormBuilder.Result thirty = builder.build(manifest, Target.minutes(30), dir.resolve("out"));
        assertEquals(0, thirty.recordings(), "not enough audio for 30 minutes");
    }

    @Test
    void groupingIsDeterministicAndChecksArguments(@TempDir Path dir) throws IOException {
        Path manifest = corpus(dir, 2, 20);
        List<ManifestEntry> entries = Manifest.read(manifest);
        var a = new LongFormBuilder(0.2, 0.6, 9).group(entries, Target.paper());
        var b = new LongFormBuilder(0.2, 0.6, 9).group(entries, Target.paper());
        assertEquals(a.size(), b.size());
        for (int i = 0; i < a.size(); i++) {
            assertEquals(a.get(i).parts(), b.get(i).parts());
            assertTrue(java.util.Arrays.equals(a.get(i).gaps(), b.get(i).gaps()));
            assertTrue(a.get(i).seconds() >= 45 && a.get(i).seconds() <= 60);
        }
        assertThrows(IllegalArgumentException.class, () -> new LongFormBuilder(0.5, 0.1, 1));
        assertThrows(IllegalArgumentException.class, () -> new Target("x", 60, 45, LongFormBuilder.VoicePolicy.SINGLE));
        assertThrows(IllegalArgumentException.class, () -> new Target("../evil", 45, 60, LongFormBuilder.VoicePolicy.SINGLE));
    }
}
