package dev.speechmamba.data;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** synth-corpus --accented-festival: festival's non-English diphone speakers speaking English (el_diphone-en...). */
class AccentedFestivalVoicesTest {
    /**
     * Ordinary words whose segments, as kal_diphone's front end predicts them, hold 40 phones and the pause: every
     * phone of the radio phone set but the reduced ones (dx, el, em, en, axr, hv, nx), which its lexicon does not
     * give here; the tables map those too.
     */
    private static final String EVERY_ENGLISH_PHONE = "the quick brown fox jumps over the lazy dog; "
            + "a boy's measure of joy: how the singer thought about her father's bottle of water, "
            + "a button and a rhythm, yes, the church in the heart of the vision beside the hot hill; "
            + "she should put the good blue shoes on the book";

    @Test
    void accentedSpeakersAreOfferedOnlyWhenAskedForAndWithTheEnglishFrontEnd(@TempDir Path libDir) throws Exception {
        assumeTrue(TtsEngines.onPath("text2wave"), "festival not installed (ci/install-tts.sh)");
        Files.createDirectories(libDir.resolve("voices/english/kal_diphone"));
        Files.createDirectories(libDir.resolve("voices/czech/czech_ph"));
        Files.createDirectories(libDir.resolve("voices/spanish/el_diphone"));
        Files.createDirectories(libDir.resolve("voices/italian/lp_diphone")); // clips: not among the accented speakers

        assertEquals(List.of(new Voice("festival", "kal_diphone")), new TtsEngines.Festival(libDir.toString(), false).voices());
        assertEquals(List.of(new Voice("festival", "czech_ph-en"), new Voice("festival", "el_diphone-en"),
                new Voice("festival", "kal_diphone")), new TtsEngines.Festival(libDir.toString(), true).voices());
    }

    @Test
    void withoutTheEnglishFrontEndTheReasonSaysSo(@TempDir Path libDir) throws Exception {
        assumeTrue(TtsEngines.onPath("text2wave"), "festival not installed (ci/install-tts.sh)");
        Files.createDirectories(libDir.resolve("voices/english/rab_diphone"));
        Files.createDirectories(libDir.resolve("voices/czech/czech_ph"));
        TtsEngines.Festival festival = new TtsEngines.Festival(libDir.toString(), true);
        assertEquals(List.of(new Voice("festival", "rab_diphone")), festival.voices());
        assertTrue(festival.unavailableReason().contains("kal_diphone"), festival.unavailableReason());
    }

    @Test
    void anAccentedVoiceLoadsTheMappingAndScalesItsSpeakersF0() {
        TtsEngines.Festival festival = new TtsEngines.Festival("/nonexistent", true);
        TtsEngine.Invocation run = festival.command(new Voice("festival", "czech_ph-en"), Path.of("t.txt"), Path.of("o.wav"),
                1.0, 1.1, 1.05);
        List<String> c = run.command();
        assertEquals("text2wave", c.get(0));
        assertTrue(Files.isRegularFile(Path.of(c.get(2))), "the mapping script is written out for text2wave: " + c.get(2));
        assertEquals("(acc_voice 'czech_ph)", c.get(4));
        assertTrue(c.get(6).startsWith("(set! int_lr_params"), "F0 scaled after acc_voice set the speaker's own: " + c);
        assertEquals(1.05, run.postSpeedUp(), 1e-9, "the formant factor is the speed-up, as for kal_diphone");
    }

    @Test
    void everyInstalledAccentedSpeakerSpeaksEveryEnglishPhone(@TempDir Path dir) throws Exception {
        assumeTrue(TtsEngines.onPath("text2wave"), "festival not installed (ci/install-tts.sh)");
        TtsEngines.Festival festival = new TtsEngines.Festival(null, true);
        List<Voice> accented = festival.voices().stream().filter(TtsEngines.Festival::isAccented).toList();
        assumeTrue(!accented.isEmpty(), "no accented festival speaker installed (ci/install-tts.sh --accented-festival-voices)");
        Path text = Files.writeString(dir.resolve("t.txt"), EVERY_ENGLISH_PHONE);
        List<String> failures = new ArrayList<>();
        for (Voice voice : accented) {
            Path wav = dir.resolve(voice.name() + ".wav");
            Path log = dir.resolve(voice.name() + ".log");
            Process p = new ProcessBuilder(festival.command(voice, text, wav, 1.0, 1.0, 1.0).command())
                    .redirectErrorStream(true).redirectOutput(log.toFile()).start();
            assertTrue(p.waitFor(60, TimeUnit.SECONDS), voice + " did not finish");
            String output = Files.readString(log, StandardCharsets.UTF_8);
            // text2wave exits 0 after a Scheme error, so the error text and the audio are what tell.
            if (output.contains("ERROR") || !Files.isRegularFile(wav) || Files.size(wav) < 16_000) {
                failures.add(voice + ": " + output.strip());
                continue;
            }
            float[] samples = dev.speechmamba.audio.WavReader.readMono(wav).samples();
            int clipped = 0;
            for (float s : samples) if (Math.abs(s) > 0.999f) clipped++;
            // The Czech and Finnish databases clip a peak here and there (0.2-0.4 % of the samples); the Italian ones,
            // left out for it, clip 5-12 %.
            if (clipped > samples.length / 100) failures.add(voice + ": " + clipped + " of " + samples.length + " samples clip");
        }
        assertTrue(failures.isEmpty(), String.join("\n", failures));
    }
}
