package dev.speechmamba.data;

import dev.speechmamba.audio.Audio;
import dev.speechmamba.audio.WavReader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * A formant factor moves the spectral envelope and leaves pitch and duration where the pitch and rate factors put
 * them, on engines that control their pitch; the others let the formants follow the pitch.
 */
class FormantShiftTest {
    private static final Voice KAL = new Voice("festival", "kal_diphone");

    @ParameterizedTest
    @ValueSource(strings = {"kal_diphone", "us1_mbrola"})
    void festivalDiphoneVoicesAreSpedUpByTheFormantFactorAndLowerTheirF0ToMatch(String name) {
        TtsEngines.Festival festival = new TtsEngines.Festival(null);
        TtsEngine.Invocation call = festival.command(new Voice("festival", name), Path.of("t.txt"), Path.of("o.wav"), 1.0, 1.1, 1.25);
        assertEquals(1.25, call.postSpeedUp(), 1e-12);
        String command = String.join(" ", call.command());
        assertTrue(command.contains("(* 0.880 (cadr (assoc 'target_f0_mean int_lr_params)))"), command);
        assertTrue(command.contains("(Parameter.set 'Duration_Stretch 1.250)"), command);
    }

    /** What corpora made before formant factors got, so that the card's evaluation sets can be made again. */
    @Test
    void withoutAFormantFactorEnginesDoWhatTheyDidBefore() {
        TtsEngine.Invocation festival = new TtsEngines.Festival(null).command(KAL, Path.of("t.txt"), Path.of("o.wav"), 0.9,
                1.1, TtsEngine.ENGINE_FORMANTS);
        assertEquals(1.1, festival.postSpeedUp(), 1e-12, "pitch by resampling, formants moving with it");
        assertEquals(List.of("text2wave", "-eval", "(voice_kal_diphone)", "-eval", "(Parameter.set 'Duration_Stretch 1.222)",
                "t.txt", "-o", "o.wav"), festival.command());
        TtsEngine.Invocation espeak = new TtsEngines.EspeakNg(0, 1).command(new Voice("espeak-ng", "en-us"), Path.of("t.txt"),
                Path.of("o.wav"), 0.9, 1.1, TtsEngine.ENGINE_FORMANTS);
        assertEquals(1.0, espeak.postSpeedUp(), 1e-12);
        assertEquals(List.of("espeak-ng", "-v", "en-us", "-s", "158", "-p", "70", "-f", "t.txt", "-w", "o.wav"), espeak.command());
    }

    @Test
    void festivalHtsVoicesAndFliteIgnoreTheFormantFactor() {
        TtsEngine.Invocation hts = new TtsEngines.Festival(null).command(new Voice("festival", "cmu_us_slt_arctic_hts"),
                Path.of("t.txt"), Path.of("o.wav"), 1.0, 1.1, 1.25);
        assertEquals(1.1, hts.postSpeedUp(), 1e-12);
        assertFalse(String.join(" ", hts.command()).contains("int_lr_params"));
        assertEquals(1.1, new TtsEngines.Flite().command(new Voice("flite", "slt"), Path.of("t.txt"), Path.of("o.wav"),
                1.0, 1.1, 1.25).postSpeedUp(), 1e-12);
    }

    @Test
    void espeakSpeaksSlowerAndLowerByTheFormantFactor() {
        TtsEngine.Invocation call = new TtsEngines.EspeakNg(0, 1).command(new Voice("espeak-ng", "en-us"), Path.of("t.txt"),
                Path.of("o.wav"), 1.0, 1.0, 1.25);
        assertEquals(1.25, call.postSpeedUp(), 1e-12);
        List<String> c = call.command();
        assertEquals("140", c.get(c.indexOf("-s") + 1), "175 words a minute / 1.25");
        assertEquals("10", c.get(c.indexOf("-p") + 1), "pitch 1 / 1.25 = 0.8 on espeak-ng's scale: 50 - 0.2 * 200");
    }

    /** The engine's audio played back faster by the speed-up: its F0 is where the pitch factor puts it. */
    @ParameterizedTest
    @ValueSource(strings = {"kal_diphone", "us1_mbrola"})
    void festivalDiphoneVoicesKeepTheirPitchAndDurationWhileTheirFormantsMove(String name, @TempDir Path dir) throws Exception {
        assumeTrue(TtsEngines.onPath("text2wave") && Files.isDirectory(Path.of("/usr/share/festival/voices/english", name)),
                "festival with " + name + " not installed (ci/install-tts.sh" + (name.equals("us1_mbrola") ? " --non-free --more-diphone-voices)" : ")"));
        Path text = dir.resolve("t.txt");
        Files.writeString(text, "we were away a year ago when many men came home\n");
        TtsEngines.Festival festival = new TtsEngines.Festival(null);
        Voice voice = new Voice("festival", name);
        double[] plain = speak(festival, voice, text, dir.resolve("plain.wav"), 1.0);
        double[] shifted = speak(festival, voice, text, dir.resolve("shifted.wav"), 1.25);
        assertEquals(plain[0], shifted[0], 0.06 * plain[0], "F0 after the speed-up, Hz");
        assertEquals(plain[1], shifted[1], 0.08 * plain[1], "duration after the speed-up, s");
    }

    /** @return median F0 (Hz) and duration (s) of the voiced audio after the speed-up */
    private static double[] speak(TtsEngine engine, Voice voice, Path text, Path out, double formant) throws Exception {
        TtsEngine.Invocation call = engine.command(voice, text, out, 1.0, 1.0, formant);
        Process p = new ProcessBuilder(call.command()).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0, "text2wave failed: " + call.command());
        Audio audio = WavReader.readMono(out);
        return new double[] {medianF0(audio.samples(), audio.sampleRate()) * call.postSpeedUp(),
                audio.duration() / call.postSpeedUp()};
    }

    /** Autocorrelation pitch of each loud 64 ms frame between 50 and 400 Hz; the median of the voiced ones. */
    private static double medianF0(float[] x, int rate) {
        int frame = rate * 64 / 1000, minLag = rate / 400, maxLag = rate / 50;
        double peak = 0;
        for (float v : x) peak = Math.max(peak, Math.abs(v));
        List<Double> f0 = new ArrayList<>();
        for (int start = 0; start + frame + maxLag <= x.length; start += frame / 2) {
            double energy = 0;
            for (int i = 0; i < frame; i++) energy += x[start + i] * x[start + i];
            if (Math.sqrt(energy / frame) < 0.05 * peak) continue;
            int bestLag = -1;
            double best = 0;
            for (int lag = minLag; lag <= maxLag; lag++) {
                double r = 0;
                for (int i = 0; i < frame; i++) r += x[start + i] * x[start + i + lag];
                if (r > best) { best = r; bestLag = lag; }
            }
            if (bestLag > 0 && best > 0.5 * energy) f0.add(rate / (double) bestLag);
        }
        assertTrue(f0.size() >= 10, "too few voiced frames: " + f0.size());
        double[] sorted = f0.stream().mapToDouble(Double::doubleValue).toArray();
        Arrays.sort(sorted);
        return sorted[sorted.length / 2];
    }
}
