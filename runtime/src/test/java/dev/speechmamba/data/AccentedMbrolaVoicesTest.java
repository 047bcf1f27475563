package dev.speechmamba.data;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** synth-corpus --accented-mbrola (espeak-ng's mb-de1-en...) and --voices REGEX (TtsEngines.onlyVoices). */
class AccentedMbrolaVoicesTest {
    /** An engine with fixed voices that records nothing; its command names the voice so delegation shows. */
    private static final class FixedVoices implements TtsEngine {
        private final List<Voice> voices;

        FixedVoices(String... names) {
            voices = java.util.Arrays.stream(names).map(n -> new Voice("fake", n)).toList();
        }

        @Override public String name() { return "fake"; }
        @Override public List<Voice> voices() { return voices; }
        @Override public String unavailableReason() { return voices.isEmpty() ? "fake has no voices" : null; }

        @Override
        public Invocation command(Voice voice, Path textFile, Path outWav, double rate, double pitch, double formant) {
            return new Invocation(List.of("say", voice.name(), textFile.toString(), outWav.toString()), 1.25);
        }
    }

    @Test
    void onlyVoicesKeepsTheVoicesWhoseWholeIdMatches() {
        TtsEngine engine = TtsEngines.onlyVoices(List.of(new FixedVoices("mb-de1-en", "mb-us1", "en-us+m3", "mb-de1-en-x")),
                Pattern.compile("fake:mb-.*-en")).getFirst();
        assertEquals(List.of(new Voice("fake", "mb-de1-en")), engine.voices(), "a partial match (mb-de1-en-x ends otherwise) is not kept");
        assertEquals("fake", engine.name());
        assertNull(engine.unavailableReason());
        TtsEngine.Invocation call = engine.command(new Voice("fake", "mb-de1-en"), Path.of("t.txt"), Path.of("o.wav"), 1, 1, 1);
        assertEquals(List.of("say", "mb-de1-en", "t.txt", "o.wav"), call.command(), "speaking is the engine's own");
        assertEquals(1.25, call.postSpeedUp());
    }

    @Test
    void anEngineLeftWithoutVoicesSaysWhichPatternRemovedThem() {
        TtsEngine engine = TtsEngines.onlyVoices(List.of(new FixedVoices("kal", "slt")), Pattern.compile("espeak-ng:.*")).getFirst();
        assertTrue(engine.voices().isEmpty());
        String reason = engine.unavailableReason();
        assertTrue(reason.contains("none of its 2 voices") && reason.contains("espeak-ng:.*"), reason);
        TtsEngine uninstalled = TtsEngines.onlyVoices(List.of(new FixedVoices()), Pattern.compile(".*")).getFirst();
        assertEquals("fake has no voices", uninstalled.unavailableReason(), "an engine that is not installed keeps its own reason");
    }

    @Test
    void nativeEnglishMbrolaVoicesAreToldApartFromAccentedOnes() {
        assertTrue(TtsEngines.EspeakNg.isNativeEnglishMbrola("mb-us1"));
        assertTrue(TtsEngines.EspeakNg.isNativeEnglishMbrola("mb-en1"));
        assertFalse(TtsEngines.EspeakNg.isNativeEnglishMbrola("mb-de1-en"));
        assertFalse(TtsEngines.EspeakNg.isNativeEnglishMbrola("mb-fr4-en"));
    }

    @Test
    void accentedMbrolaVoicesAreOfferedOnlyWhenAskedFor() {
        assumeTrue(TtsEngines.onPath("espeak-ng") && TtsEngines.onPath("mbrola") && TtsEngines.EspeakNg.mbrolaVoiceInstalled("de4"),
                "espeak-ng, mbrola and mbrola-de4 not installed (ci/install-tts.sh --non-free --accented-mbrola-voices)");
        List<String> plain = new TtsEngines.EspeakNg(0, 1).voices().stream().map(Voice::name).toList();
        List<String> accented = new TtsEngines.EspeakNg(0, 1, true).voices().stream().map(Voice::name).toList();
        assertFalse(plain.contains("mb-de4-en"), plain.toString());
        assertTrue(accented.contains("mb-de4-en"), accented.toString());
        assertTrue(accented.containsAll(plain), "the accented voices come on top of the usual ones");
    }
}
