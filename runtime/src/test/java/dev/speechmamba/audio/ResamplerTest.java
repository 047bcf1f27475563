package dev.speechmamba.audio;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static dev.speechmamba.audio.Signals.amplitudeAt;
import static dev.speechmamba.audio.Signals.rms;
import static dev.speechmamba.audio.Signals.tone;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(20)
class ResamplerTest {

    /** A tone well inside both passbands keeps its amplitude and frequency (no residual after the fit). */
    @ParameterizedTest
    @CsvSource({"44100, 1000", "48000, 3500", "22050, 6000", "8000, 1000", "8000, 3000", "11025, 440", "32000, 7000", "15200, 2000"})
    void passbandToneSurvivesWithItsAmplitudeAndFrequency(int inRate, double hz) {
        float[] in = tone(hz, 0.5, inRate, inRate / 2); // 0.5 s
        float[] out = Resampler.of(inRate, 16000).process(in);
        assertEquals((int) Math.ceil(in.length * 16000.0 / inRate), out.length);
        int from = out.length / 4, to = 3 * out.length / 4; // away from the zero-padded edges
        double amplitude = amplitudeAt(out, hz, 16000, from, to);
        assertEquals(0.5, amplitude, 0.5 * 0.01, "amplitude of " + hz + " Hz from " + inRate);
        float[] expected = tone(hz, 0.5, 16000, out.length);
        double error = 0;
        for (int i = from; i < to; i++) error = Math.max(error, Math.abs(out[i] - expected[i]));
        assertTrue(error < 5e-3, "waveform error " + error + " (phase or frequency wrong) for " + hz + " Hz from " + inRate);
    }

    /** A tone between the new Nyquist (8 kHz) and the old one must not fold back into the output: > 40 dB down. */
    @ParameterizedTest
    @CsvSource({"44100, 9000", "44100, 12000", "48000, 8600", "48000, 20000", "22050, 10000", "32000, 8500"})
    void toneAboveTheNewNyquistIsAttenuatedBy40dB(int inRate, double hz) {
        float[] in = tone(hz, 0.5, inRate, inRate / 2);
        float[] out = Resampler.of(inRate, 16000).process(in);
        double level = rms(out, out.length / 4, 3 * out.length / 4) / (0.5 / Math.sqrt(2));
        double db = 20 * Math.log10(level);
        assertTrue(db < -40, hz + " Hz from " + inRate + " Hz is only " + db + " dB down");
    }

    @Test
    void upsamplingLeavesNoSpectralImages() {
        float[] in = tone(1000, 0.5, 8000, 4000);
        float[] out = Resampler.of(8000, 16000).process(in);
        // Zero-stuffing would create an image at 8000 - 1000 = 7000 Hz.
        double image = amplitudeAt(out, 7000, 16000, out.length / 4, 3 * out.length / 4);
        assertTrue(20 * Math.log10(image / 0.5) < -60, "image at 7 kHz: " + image);
    }

    @Test
    void constantSignalStaysConstantAndIdentityCopies() {
        float[] dc = new float[3000];
        java.util.Arrays.fill(dc, 0.3f);
        float[] out = Resampler.of(44100, 16000).process(dc);
        for (int i = 200; i < out.length - 200; i++) assertEquals(0.3, out[i], 1e-5, "sample " + i);
        float[] same = Resampler.of(16000, 16000).process(dc);
        assertArrayEquals(dc, same);
        assertSame(Resampler.of(44100, 16000), Resampler.of(44100, 16000), "converters are cached");
    }

    @Test
    void awkwardRatesUseTheUntabulatedPathAndStillWork() {
        // 96001 -> 16000 has 16000 phases of ~409 taps: too many to tabulate, so taps are computed per sample.
        float[] in = tone(1500, 0.4, 96001, 4800);
        float[] out = Resampler.of(96001, 16000).process(in);
        assertEquals(0.4, amplitudeAt(out, 1500, 16000, out.length / 4, 3 * out.length / 4), 0.004);
    }

    @Test
    void edgeCases() {
        assertEquals(0, Resampler.of(44100, 16000).process(new float[0]).length);
        assertEquals(1, Resampler.of(44100, 16000).process(new float[] {0.5f}).length);
        assertThrows(IllegalArgumentException.class, () -> Resampler.of(0, 16000));
        assertThrows(IllegalArgumentException.class, () -> Resampler.of(16000, -1));
        assertEquals(1.0, Resampler.besselI0(0), 0);
        assertEquals(27.239871823604442, Resampler.besselI0(5), 1e-12); // scipy.special.i0(5)
    }

    @Test
    void audioRecordResamplesTo16k() {
        Audio a = new Audio(tone(440, 0.5, 44100, 44100), 44100);
        Audio b = a.to16k();
        assertEquals(16000, b.sampleRate());
        assertEquals(16000, b.samples().length);
        assertEquals(1.0, b.duration(), 1e-9);
        assertSame(b, b.to16k());
    }
}
