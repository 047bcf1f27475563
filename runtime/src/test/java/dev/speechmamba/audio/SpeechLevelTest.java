package dev.speechmamba.audio;

import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.OptionalDouble;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SpeechLevelTest {
    private static final int RATE = 16_000;

    /** A tone of {@code amplitude} for {@code speech} seconds between two stretches of digital silence. */
    private static float[] toneInSilence(double amplitude, double before, double speech, double after) {
        int lead = (int) (before * RATE), body = (int) (speech * RATE), tail = (int) (after * RATE);
        float[] x = new float[lead + body + tail];
        float[] tone = Signals.tone(220, amplitude, RATE, body);
        System.arraycopy(tone, 0, x, lead, body);
        return x;
    }

    private static double dbfs(double amplitude) { return 20 * Math.log10(amplitude / Math.sqrt(2)); }

    @Test
    void theLevelIsThatOfTheSpeechHoweverLongTheSilenceAroundIt() {
        double expected = dbfs(0.1);                                       // -23.0 dBFS
        for (double silence : new double[] {0, 0.5, 5, 30}) {
            double level = SpeechLevel.activeLevelDbfs(toneInSilence(0.1, silence, 1.0, silence)).getAsDouble();
            // The frames that straddle the tone's edges are active too, and a little quieter: within 0.5 dB.
            assertEquals(expected, level, 0.5, "with " + silence + " s of silence on each side");
        }
    }

    @Test
    void aFewClicksLouderThanTheSpeechDoNotSetTheLevel() {
        float[] x = toneInSilence(0.05, 1, 3, 1);
        double clean = SpeechLevel.activeLevelDbfs(x).getAsDouble();
        // Ten 1 ms full-scale clicks, 15 dB louder than the speech in the frames that hold them.
        for (int c = 0; c < 10; c++) Arrays.fill(x, 20_000 + c * 6_000, 20_000 + c * 6_000 + 16, 0.99f);
        double clicked = SpeechLevel.activeLevelDbfs(x).getAsDouble();
        assertTrue(clicked - clean < 2, "clicks moved the level from " + clean + " to " + clicked);
    }

    @Test
    void normalizingBringsAnyLevelToTheTargetAndLeavesTheInputAlone() {
        for (double amplitude : new double[] {0.003, 0.03, 0.3, 0.9}) {
            float[] x = toneInSilence(amplitude, 0.3, 1.0, 0.3);
            float[] before = x.clone();
            float[] y = SpeechLevel.normalize(x, SpeechLevel.Range.of(-20));
            assertArrayEquals(before, x, "the caller's samples must not change");
            assertEquals(-20, SpeechLevel.activeLevelDbfs(y).getAsDouble(), 1e-3, "amplitude " + amplitude);
        }
        // Scaled copies of one recording come out the same: what the model reads does not depend on the input gain.
        float[] x = toneInSilence(0.2, 0.3, 1.0, 0.3), quiet = x.clone();
        for (int i = 0; i < quiet.length; i++) quiet[i] *= 0.0316f;
        float[] a = SpeechLevel.normalize(x, SpeechLevel.Range.of(-18)), b = SpeechLevel.normalize(quiet, SpeechLevel.Range.of(-18));
        for (int i = 0; i < a.length; i++) assertEquals(a[i], b[i], 1e-5f, "sample " + i);
    }

    @Test
    void theGainIsBoundedAndSilenceIsLeftAsItIs() {
        float[] faint = toneInSilence(1e-3 * Math.sqrt(2), 0.2, 1.0, 0.2);  // -60 dBFS
        assertEquals(SpeechLevel.MAX_GAIN_DB, SpeechLevel.gainDb(faint, SpeechLevel.Range.of(-10)), 1e-9);
        float[] loud = toneInSilence(0.99, 0, 1.0, 0);
        assertEquals(-18 - dbfs(0.99), SpeechLevel.gainDb(loud, SpeechLevel.Range.of(-18)), 0.05);
        float[] belowSilence = toneInSilence(1e-4, 0, 1.0, 0);             // -83 dBFS: noise, not speech
        assertEquals(0, SpeechLevel.gainDb(belowSilence, SpeechLevel.Range.of(-18)));
        float[] zeros = new float[RATE];
        assertSame(zeros, SpeechLevel.normalize(zeros, SpeechLevel.TRAINING_RANGE));
        assertTrue(SpeechLevel.activeLevelDbfs(zeros).isEmpty());
        float[] tooShort = Signals.tone(220, 0.5, RATE, Fbank.FRAME_LENGTH - 1);
        assertEquals(OptionalDouble.empty(), SpeechLevel.activeLevelDbfs(tooShort));
        assertSame(tooShort, SpeechLevel.normalize(tooShort, SpeechLevel.TRAINING_RANGE));
    }

    @Test
    void peaksAboveFullScaleAfterTheGainAreKeptNotClipped() {
        float[] x = toneInSilence(0.01, 0, 1.0, 0);
        x[4000] = 0.9f;                                                    // one sample spike
        float[] y = SpeechLevel.normalize(x, SpeechLevel.Range.of(-3));
        float gain = (float) Math.pow(10, SpeechLevel.gainDb(x, SpeechLevel.Range.of(-3)) / 20);
        assertEquals(0.9f * gain, y[4000], 1e-3f);
        assertTrue(y[4000] > 1f, "the spike is kept above full scale: " + y[4000]);
    }

    @Test
    void speechInsideTheRangeIsLeftAsItIsAndSpeechOutsideItGoesToTheNearerEdge() {
        SpeechLevel.Range range = new SpeechLevel.Range(-24, -16);
        float[] inside = toneInSilence(Math.sqrt(2) * Math.pow(10, -20 / 20.0), 0.2, 1, 0.2);   // -20 dBFS
        assertSame(inside, SpeechLevel.normalize(inside, range));
        float[] quiet = toneInSilence(Math.sqrt(2) * Math.pow(10, -50 / 20.0), 0.2, 1, 0.2);    // -50 dBFS
        assertEquals(-24, SpeechLevel.activeLevelDbfs(SpeechLevel.normalize(quiet, range)).getAsDouble(), 0.3);
        float[] loud = toneInSilence(Math.sqrt(2) * Math.pow(10, -6 / 20.0), 0.2, 1, 0.2);      // -6 dBFS
        assertEquals(-16, SpeechLevel.activeLevelDbfs(SpeechLevel.normalize(loud, range)).getAsDouble(), 0.3);
    }

    @Test
    void aRangeThatIsNotOneIsRefused() {
        for (double[] bad : new double[][] {{-10, -20}, {-20, 1}, {Double.NaN, -10}, {Double.NEGATIVE_INFINITY, -10}, {-20, Double.NaN}}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new SpeechLevel.Range(bad[0], bad[1]));
            assertTrue(e.getMessage().contains("speech level"), e.getMessage());
        }
        assertEquals("-24 to -16 dBFS", SpeechLevel.TRAINING_RANGE.toString());
        assertEquals("-20.5 dBFS", SpeechLevel.Range.of(-20.5).toString());
    }
}
