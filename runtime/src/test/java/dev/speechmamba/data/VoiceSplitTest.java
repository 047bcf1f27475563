package dev.speechmamba.data;

import dev.speechmamba.data.VoiceSplit.Split;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class VoiceSplitTest {

    private static List<Voice> voices() {
        List<Voice> v = new ArrayList<>();
        for (int i = 0; i < 30; i++) v.add(new Voice("espeak-ng", "en-us+v" + i));
        for (String n : List.of("kal", "slt", "rms", "awb")) v.add(new Voice("flite", n));
        v.add(new Voice("festival", "kal_diphone"));
        v.add(new Voice("festival", "ked_diphone"));
        return v;
    }

    @Test
    void splitsAreVoiceDisjointAndEveryEngineTrains() {
        Map<Voice, Split> split = VoiceSplit.assign(voices(), 0.1, 0.15, 42);
        assertEquals(voices().size(), split.size());
        Set<Split> used = Set.copyOf(split.values());
        assertEquals(Set.of(Split.TRAIN, Split.VALID, Split.TEST), used);
        for (String engine : List.of("espeak-ng", "flite", "festival")) {
            assertTrue(split.entrySet().stream().anyMatch(e -> e.getKey().engine().equals(engine) && e.getValue() == Split.TRAIN), engine);
        }
        // festival has 2 voices: both train; flite has 4: one test, one valid.
        assertEquals(Split.TRAIN, split.get(new Voice("festival", "kal_diphone")));
        Map<Split, Long> flite = split.entrySet().stream().filter(e -> e.getKey().engine().equals("flite"))
                .collect(Collectors.groupingBy(Map.Entry::getValue, Collectors.counting()));
        assertEquals(Map.of(Split.TRAIN, 2L, Split.VALID, 1L, Split.TEST, 1L), flite);
        long espeakTest = split.entrySet().stream().filter(e -> e.getKey().engine().equals("espeak-ng") && e.getValue() == Split.TEST).count();
        assertEquals(5, espeakTest); // round(0.15 * 30)
    }

    /** mbrola voices are split as a kind of their own, so test always has one of them when 3 or more exist. */
    @Test
    void mbrolaVoicesAreSplitApartFromEspeakFormantVoices() {
        List<Voice> v = new ArrayList<>(voices());
        List<Voice> mbrola = List.of(new Voice("espeak-ng", "mb-us1"), new Voice("espeak-ng", "mb-us2"),
                new Voice("espeak-ng", "mb-us3"), new Voice("espeak-ng", "mb-en1"));
        v.addAll(mbrola);
        assertEquals("espeak-ng/mbrola", mbrola.getFirst().kind());
        assertEquals("espeak-ng", new Voice("espeak-ng", "en-us+m3").kind());
        assertEquals("flite", new Voice("flite", "kal").kind());
        for (long seed = 1; seed <= 20; seed++) {
            Map<Voice, Split> split = VoiceSplit.assign(v, 0.1, 0.15, seed);
            Map<Split, Long> counts = mbrola.stream().collect(Collectors.groupingBy(split::get, Collectors.counting()));
            assertEquals(Map.of(Split.TRAIN, 2L, Split.VALID, 1L, Split.TEST, 1L), counts, "seed " + seed);
            long espeakTest = split.entrySet().stream()
                    .filter(e -> e.getKey().kind().equals("espeak-ng") && e.getValue() == Split.TEST).count();
            assertEquals(5, espeakTest, "the formant voices split as before");
        }
    }

    @Test
    void sameSeedSameSplitWhateverTheInputOrder() {
        List<Voice> shuffled = new ArrayList<>(voices());
        Collections.shuffle(shuffled, new Random(3));
        assertEquals(VoiceSplit.assign(voices(), 0.1, 0.15, 7), VoiceSplit.assign(shuffled, 0.1, 0.15, 7));
        assertTrue(!VoiceSplit.assign(voices(), 0.1, 0.15, 7).equals(VoiceSplit.assign(voices(), 0.1, 0.15, 8)));
        assertThrows(IllegalArgumentException.class, () -> VoiceSplit.assign(voices(), 0.5, 0.5, 1));
    }

    @Test
    void voiceIdsParse() {
        Voice v = Voice.parse("espeak-ng:en-gb-x-rp+f2");
        assertEquals(new Voice("espeak-ng", "en-gb-x-rp+f2"), v);
        assertEquals("espeak-ng_en-gb-x-rp+f2", v.folderName());
        assertThrows(IllegalArgumentException.class, () -> Voice.parse("no-colon"));
    }
}
