package dev.speechmamba.audio;

import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class EdgeSilenceTest {
    private static Audio tone() {
        float[] x = new float[16_000];
        for (int i = 0; i < x.length; i++) x[i] = (float) (0.5 * Math.sin(2 * Math.PI * 220 * i / 16_000.0));
        return new Audio(x, 16_000);
    }

    /** The utterance is kept sample for sample between its two silences, which are quiet and within the limit. */
    @Test
    void padsBothEdgesWithQuietSilenceAndKeepsTheUtterance() {
        Audio speech = tone();
        EdgeSilence pad = EdgeSilence.upTo(0.5);
        SplittableRandom random = new SplittableRandom(3);
        int padded = 0, zeros = 0, noise = 0;
        for (int trial = 0; trial < 200; trial++) {
            Audio out = pad.apply(speech, random);
            if (out == speech) continue;
            padded++;
            int extra = out.samples().length - speech.samples().length;
            assertTrue(extra >= 0 && extra <= 16_000, "at most 0.5 s on each side, got " + extra + " samples in all");
            int lead = leadingQuiet(out.samples());
            assertArrayEquals(speech.samples(), Arrays.copyOfRange(out.samples(), lead, lead + speech.samples().length));
            double energy = 0;
            for (int i = 0; i < lead; i++) energy += out.samples()[i] * out.samples()[i];
            for (int i = lead + speech.samples().length; i < out.samples().length; i++) energy += out.samples()[i] * out.samples()[i];
            double edgeRms = extra == 0 ? 0 : Math.sqrt(energy / extra), speechRms = 0.5 / Math.sqrt(2);
            assertTrue(edgeRms <= 1.2 * speechRms * Math.pow(10, -45 / 20.0), "silence is 45 dB or more down: rms " + edgeRms);
            if (extra > 100) { if (edgeRms == 0) zeros++; else noise++; }
        }
        assertTrue(padded > 70 && padded < 130, "about half padded: " + padded);
        assertTrue(zeros > 10 && noise > 10, "both kinds of silence: " + zeros + " digital, " + noise + " noise");
    }

    @Test
    void theSameGeneratorStateGivesTheSameAudio() {
        EdgeSilence pad = new EdgeSilence(1.0, 0.3);
        Audio a = pad.apply(tone(), new SplittableRandom(9)), b = pad.apply(tone(), new SplittableRandom(9));
        assertArrayEquals(a.samples(), b.samples());
        assertEquals(16_000, a.sampleRate());
    }

    @Test
    void probabilityOneAlwaysPadsAndBadSettingsAreRefused() {
        Audio speech = tone();
        SplittableRandom random = new SplittableRandom(1);
        for (int i = 0; i < 20; i++) assertTrue(new EdgeSilence(1.0, 0.2).apply(speech, random) != speech);
        assertThrows(IllegalArgumentException.class, () -> new EdgeSilence(0, 0.5));
        assertThrows(IllegalArgumentException.class, () -> new EdgeSilence(0.5, 0));
        assertThrows(IllegalArgumentException.class, () -> new EdgeSilence(0.5, 6));
    }

    /** Samples before the tone's first sample (which is 0 too, so the search starts after it). */
    private static int leadingQuiet(float[] x) {
        int i = 0;
        while (i < x.length && Math.abs(x[i]) < 0.03) i++;
        return i - 1;
    }
}
