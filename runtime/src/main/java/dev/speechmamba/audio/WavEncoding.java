package dev.speechmamba.audio;

/**
 * The sample encodings {@link WavReader} decodes and {@link WavWriter} writes. Integer PCM follows the WAV
 * convention: 8-bit is unsigned (128 = silence), wider samples are signed little-endian two's complement.
 * Decoding maps integer full scale to [-1, 1): a sample {@code s} of {@code b} bits becomes {@code s / 2^(b-1)}.
 */
public enum WavEncoding {
    PCM_U8(1, false),
    PCM_S16(2, false),
    PCM_S24(3, false),
    PCM_S32(4, false),
    FLOAT32(4, true),
    FLOAT64(8, true);

    private final int bytesPerSample;
    private final boolean floatingPoint;

    WavEncoding(int bytesPerSample, boolean floatingPoint) {
        this.bytesPerSample = bytesPerSample;
        this.floatingPoint = floatingPoint;
    }

    /** Bytes one sample of one channel occupies in the data chunk. */
    public int bytesPerSample() { return bytesPerSample; }

    /** Bits per sample as stored in the fmt chunk. */
    public int bitsPerSample() { return bytesPerSample * 8; }

    /** Whether the fmt chunk's format tag is IEEE float (3) rather than PCM (1). */
    public boolean floatingPoint() { return floatingPoint; }
}
