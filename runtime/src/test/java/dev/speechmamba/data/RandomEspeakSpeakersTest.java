package dev.speechmamba.data;

import dev.speechmamba.audio.WavReader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** synth-corpus --random-espeak-speakers: variant files drawn from a seed, and espeak-ng speaking them. */
class RandomEspeakSpeakersTest {
    @Test
    void aSpeakersNameIsEnoughToMakeItsVariantFileAgain() {
        String name = RandomEspeakSpeakers.variantName(41, 7);
        assertEquals("rnd7-s41", name);
        String file = RandomEspeakSpeakers.variantFile(name);
        assertEquals(file, RandomEspeakSpeakers.variantFile(name), "the same name draws the same speaker");
        assertTrue(file.startsWith("language variant\nname rnd7-s41\n"), file);
        for (int k = 0; k <= 8; k++) assertTrue(file.contains("\nformant " + k + " "), "formant " + k + " in\n" + file);
        assertTrue(file.contains("\npitch "), file);
        assertEquals("rnd3-s18446744073709551615", RandomEspeakSpeakers.variantName(-1, 3), "a negative seed is written unsigned");
        assertEquals(RandomEspeakSpeakers.variantFile("rnd3-s18446744073709551615"),
                RandomEspeakSpeakers.variantFile(RandomEspeakSpeakers.variantName(-1, 3)));
    }

    @Test
    void speakersDifferAndStayInsideEspeakNgsRanges() {
        Set<String> files = new HashSet<>();
        int female = 0;
        for (int k = 0; k < 200; k++) {
            String file = RandomEspeakSpeakers.variantFile(RandomEspeakSpeakers.variantName(9, k));
            files.add(file.substring(file.indexOf("gender")));
            if (file.contains("gender female")) female++;
            for (String line : file.split("\n")) {
                String[] cols = line.split(" ");
                if (cols[0].equals("pitch")) {
                    int base = Integer.parseInt(cols[1]), top = Integer.parseInt(cols[2]);
                    assertTrue(base >= 60 && base < top && top <= 315, line);
                } else if (cols[0].equals("formant")) {
                    int freq = Integer.parseInt(cols[2]), height = Integer.parseInt(cols[3]), width = Integer.parseInt(cols[4]);
                    assertTrue(freq >= 80 && freq <= 135 && height >= 0 && height <= 160 && width >= 60 && width <= 160, line);
                } else if (cols[0].equals("klatt")) {
                    int source = Integer.parseInt(cols[1]);
                    assertTrue(source >= 1 && source <= 6, line);
                }
            }
        }
        assertEquals(200, files.size(), "every speaker is its own");
        assertTrue(female > 70 && female < 130, "about half are female: " + female);
        assertNotEquals(RandomEspeakSpeakers.variantFile("rnd0-s1"), RandomEspeakSpeakers.variantFile("rnd0-s2"), "the seed matters");
    }

    @Test
    void namesAreToldApartFromShippedVariants() {
        assertTrue(RandomEspeakSpeakers.isRandomSpeaker("en-us+rnd7-s41"));
        assertFalse(RandomEspeakSpeakers.isRandomSpeaker("en-us+m3"));
        assertFalse(RandomEspeakSpeakers.isRandomSpeaker("en-us"));
        assertFalse(RandomEspeakSpeakers.isRandomSpeaker("en-us+rnd7"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> RandomEspeakSpeakers.variantFile("Demonic"));
        assertTrue(e.getMessage().contains("'Demonic'") && e.getMessage().contains("rndINDEX-sSEED"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> RandomEspeakSpeakers.variantName(1, -1));
        IllegalArgumentException huge = assertThrows(IllegalArgumentException.class, () -> RandomEspeakSpeakers.variantFile("rnd1-s99999999999999999999999"));
        assertTrue(huge.getMessage().contains("out of range"), huge.getMessage());
    }

    @Test
    void theDataFolderIsReadFromEspeakNgsVersionLine() {
        assertEquals(Path.of("/usr/lib/x86_64-linux-gnu/espeak-ng-data"), RandomEspeakSpeakers.shippedDataFolder(
                "eSpeak NG text-to-speech: 1.51  Data at: /usr/lib/x86_64-linux-gnu/espeak-ng-data\n"));
        assertNull(RandomEspeakSpeakers.shippedDataFolder("eSpeak NG text-to-speech: 1.51\n"));
        assertNull(RandomEspeakSpeakers.shippedDataFolder(null));
    }

    @Test
    void anEngineOffersTheRandomSpeakersOnTopOfItsShippedVoices() {
        assumeTrue(TtsEngines.onPath("espeak-ng"), "espeak-ng not installed (ci/install-tts.sh)");
        List<Voice> shipped = new TtsEngines.EspeakNg(2, 5).voices();
        List<Voice> with = new TtsEngines.EspeakNg(2, 5, false, 12).voices();
        assertEquals(shipped, with.subList(0, shipped.size()), "the shipped voices are drawn as without random speakers");
        List<Voice> added = with.subList(shipped.size(), with.size());
        assertEquals(12, added.size());
        Set<String> accents = new HashSet<>();
        for (Voice v : shipped) if (!v.name().contains("+") && !v.name().startsWith("mb-")) accents.add(v.name());
        for (int k = 0; k < added.size(); k++) {
            String name = added.get(k).name();
            assertTrue(name.endsWith("+" + RandomEspeakSpeakers.variantName(5, k)), name);
            assertTrue(accents.contains(name.substring(0, name.indexOf('+'))), name + " speaks one of " + accents);
        }
        assertThrows(IllegalArgumentException.class, () -> new TtsEngines.EspeakNg(2, 5, false, -1));
    }

    @Test
    void espeakNgSpeaksARandomSpeakerWithItsOwnVoice(@TempDir Path dir) throws Exception {
        assumeTrue(TtsEngines.onPath("espeak-ng"), "espeak-ng not installed (ci/install-tts.sh)");
        TtsEngines.EspeakNg engine = new TtsEngines.EspeakNg(0, 3, false, 2);
        Path text = Files.writeString(dir.resolve("t.txt"), "the birch canoe slid on the smooth planks");
        Voice plain = new Voice("espeak-ng", "en-us");
        Voice random = new Voice("espeak-ng", "en-us+" + RandomEspeakSpeakers.variantName(3, 1));
        TtsEngine.Invocation call = engine.command(random, text, dir.resolve("random.wav"), 1, 1, 1);
        String path = call.command().stream().filter(a -> a.startsWith("--path=")).findFirst().orElseThrow();
        Path variant = Path.of(path.substring("--path=".length()), "espeak-ng-data", "voices", "!v", "rnd1-s3");
        assertEquals(RandomEspeakSpeakers.variantFile("rnd1-s3"), Files.readString(variant), "the overlay holds the drawn file");
        try (var listed = Files.list(variant.getParent())) {
            assertEquals(List.of(variant), listed.toList(), "alone in its variants folder: espeak-ng lists at most 349 voices");
        }
        assertTrue(Files.isSymbolicLink(variant.getParent().getParent().getParent().resolve("lang")), "the shipped languages stay reachable");
        run(call.command());
        run(engine.command(plain, text, dir.resolve("plain.wav"), 1, 1, 1).command());
        assertFalse(engine.command(plain, text, dir.resolve("x.wav"), 1, 1, 1).command().stream().anyMatch(a -> a.startsWith("--path")),
                "a shipped voice runs on espeak-ng's own data");
        float[] a = WavReader.readMono(dir.resolve("random.wav")).samples(), b = WavReader.readMono(dir.resolve("plain.wav")).samples();
        assertTrue(a.length > 8000, "speech came out: " + a.length + " samples");
        assertFalse(Arrays.equals(a, b), "the variant changes the voice");
    }

    @Test
    void hundredsOfSpeakersAreAllFound(@TempDir Path dir) throws Exception {
        assumeTrue(TtsEngines.onPath("espeak-ng"), "espeak-ng not installed (ci/install-tts.sh)");
        // espeak-ng stops listing voices at 349: one shared variants folder of 400 drawn files lost most of them
        TtsEngines.EspeakNg engine = new TtsEngines.EspeakNg(0, 8, false, 400);
        Path text = Files.writeString(dir.resolve("t.txt"), "a quiet engine hummed under the bridge");
        for (int k = 0; k < 400; k++) engine.command(new Voice("espeak-ng", "en-gb+" + RandomEspeakSpeakers.variantName(8, k)), text, dir.resolve("x.wav"), 1, 1, 1);
        for (int k : new int[] {0, 399}) {
            run(engine.command(new Voice("espeak-ng", "en-gb+" + RandomEspeakSpeakers.variantName(8, k)), text, dir.resolve(k + ".wav"), 1, 1, 1).command());
            assertTrue(WavReader.readMono(dir.resolve(k + ".wav")).samples().length > 8000, "speaker " + k + " spoke");
        }
    }

    private static void run(List<String> command) throws Exception {
        Process p = new ProcessBuilder(new ArrayList<>(command)).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(30, TimeUnit.SECONDS), "espeak-ng finished");
        assertEquals(0, p.exitValue(), out);
    }
}
