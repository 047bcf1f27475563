package dev.speechmamba.data;

import java.nio.file.Path;
import java.util.List;

/**
 * A text-to-speech program run as a subprocess. Implementations discover their voices at run time and report
 * why they are unavailable instead of failing.
 */
public interface TtsEngine {
    /** Short engine name used in voice ids ({@code espeak-ng}, {@code flite}, ...). */
    String name();

    /** Installed voices, in a stable order; empty when the engine is not installed. */
    List<Voice> voices();

    /** Why {@link #voices()} is empty (for the log), or null when voices exist. */
    String unavailableReason();

    /**
     * The command that speaks the text in {@code textFile} with {@code voice} into the WAV {@code outWav}.
     *
     * @param rate    speaking-rate factor (1 = the engine's default, 1.1 = 10% faster)
     * @param pitch   pitch factor (1 = default)
     * @param formant factor on the formant frequencies, as a shorter (above 1) or longer vocal tract would move
     *                them; engines whose pitch comes from the speed-up alone ignore it, as their formants follow
     *                the pitch; {@link #ENGINE_FORMANTS} for the engine's own way (what every corpus made before
     *                formant factors existed got, so that it can be made again)
     * @return the command line and what the caller must still do to the audio
     */
    Invocation command(Voice voice, Path textFile, Path outWav, double rate, double pitch, double formant);

    /**
     * No formant factor: espeak-ng keeps its formants under its own pitch control, and festival's diphone voices, like
     * the engines without a pitch control, move them with the pitch by the speed-up.
     */
    double ENGINE_FORMANTS = Double.NaN;

    /**
     * A command plus the factor by which the caller then speeds the audio up, by reinterpreting its sample rate:
     * that raises pitch, formants and speaking rate together, so the command pre-stretches its durations and,
     * where the engine controls its pitch, lowers the pitch by the same factor.
     */
    record Invocation(List<String> command, double postSpeedUp) {
        public Invocation {
            command = List.copyOf(command);
            if (!(postSpeedUp > 0)) throw new IllegalArgumentException("post speed-up must be positive, got " + postSpeedUp);
        }
    }
}
