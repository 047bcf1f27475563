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
     * @param rate  speaking-rate factor (1 = the engine's default, 1.1 = 10% faster)
     * @param pitch pitch factor (1 = default)
     * @return the command line and what the caller must still do to the audio
     */
    Invocation command(Voice voice, Path textFile, Path outWav, double rate, double pitch);

    /**
     * A command plus the pitch factor that the caller applies afterwards by reinterpreting the sample rate
     * (which also speeds the audio up by the same factor; engines without a native pitch control pre-stretch
     * their durations to compensate).
     */
    record Invocation(List<String> command, double postPitchFactor) {
        public Invocation {
            command = List.copyOf(command);
            if (!(postPitchFactor > 0)) throw new IllegalArgumentException("post pitch factor must be positive, got " + postPitchFactor);
        }
    }
}
