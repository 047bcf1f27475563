package dev.speechmamba.audio;

/**
 * What a WAV file's header says, after validation against the file length.
 *
 * @param encoding     sample encoding of the data chunk
 * @param channels     interleaved channels per frame (at least 1)
 * @param sampleRate   frames per second
 * @param frames       complete frames in the data chunk (a trailing partial frame is ignored)
 * @param extensible   whether the fmt chunk was WAVE_FORMAT_EXTENSIBLE
 */
public record WavInfo(WavEncoding encoding, int channels, int sampleRate, long frames, boolean extensible) {

    /** Length in seconds. */
    public double duration() { return frames / (double) sampleRate; }
}
