package dev.speechmamba.audio;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Writes canonical RIFF/WAVE files (one fmt chunk of 16 bytes, then the data chunk). Integer encodings scale by
 * {@code 2^(bits-1)}, round to nearest and clip, so a file read by {@link WavReader} and written back in its
 * own encoding is bit-identical in its samples.
 */
public final class WavWriter {

    private static final long MAX_DATA_BYTES = 0xFFFFFFFFL - 36;

    private WavWriter() { }

    /** Writes mono 16-bit PCM, the usual format for corpora. */
    public static void writePcm16(Path file, Audio audio) throws IOException {
        write(file, audio.samples(), 1, audio.sampleRate(), WavEncoding.PCM_S16);
    }

    /** Writes mono 32-bit float (no quantization). */
    public static void writeFloat32(Path file, Audio audio) throws IOException {
        write(file, audio.samples(), 1, audio.sampleRate(), WavEncoding.FLOAT32);
    }

    /**
     * Writes {@code interleaved} samples, {@code channels} per frame, in {@code encoding}.
     *
     * @param interleaved (frames * channels) samples in [-1, 1]; integer encodings clip values outside it
     */
    public static void write(Path file, float[] interleaved, int channels, int sampleRate, WavEncoding encoding)
            throws IOException {
        if (channels < 1 || channels > 65535) throw new IllegalArgumentException("WavWriter: channels must be 1..65535, got " + channels);
        if (sampleRate <= 0) throw new IllegalArgumentException("WavWriter: sample rate must be positive, got " + sampleRate);
        if (interleaved.length % channels != 0) {
            throw new IllegalArgumentException("WavWriter: " + interleaved.length + " samples is not a whole number of "
                    + channels + "-channel frames");
        }
        int width = encoding.bytesPerSample();
        long dataBytes = (long) interleaved.length * width;
        if (dataBytes > MAX_DATA_BYTES) throw new IllegalArgumentException("WavWriter: " + dataBytes + " bytes do not fit a WAV file");
        int blockAlign = channels * width;
        ByteBuffer header = ByteBuffer.allocate(44).order(ByteOrder.LITTLE_ENDIAN);
        header.put(ascii("RIFF")).putInt((int) (36 + dataBytes + (dataBytes & 1))).put(ascii("WAVE"));
        header.put(ascii("fmt ")).putInt(16)
                .putShort((short) (encoding.floatingPoint() ? 3 : 1))
                .putShort((short) channels)
                .putInt(sampleRate)
                .putInt(sampleRate * blockAlign)
                .putShort((short) blockAlign)
                .putShort((short) encoding.bitsPerSample());
        header.put(ascii("data")).putInt((int) dataBytes);
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) Files.createDirectories(parent);
        try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(file), 1 << 16)) {
            out.write(header.array());
            ByteBuffer block = ByteBuffer.allocate(width * 8192).order(ByteOrder.LITTLE_ENDIAN);
            for (float v : interleaved) {
                if (!block.hasRemaining()) {
                    out.write(block.array(), 0, block.position());
                    block.clear();
                }
                put(block, v, encoding);
            }
            out.write(block.array(), 0, block.position());
            if ((dataBytes & 1) != 0) out.write(0); // RIFF pads odd-sized chunks
        }
    }

    private static void put(ByteBuffer b, float v, WavEncoding encoding) {
        switch (encoding) {
            case PCM_U8 -> b.put((byte) (quantize(v, 128) + 128));
            case PCM_S16 -> b.putShort((short) quantize(v, 32768));
            case PCM_S24 -> {
                long s = quantize(v, 8388608);
                b.put((byte) s).put((byte) (s >> 8)).put((byte) (s >> 16));
            }
            case PCM_S32 -> b.putInt((int) quantize(v, 2147483648L));
            case FLOAT32 -> b.putFloat(v);
            case FLOAT64 -> b.putDouble(v);
        }
    }

    /** {@code round(v * fullScale)} clipped to the signed range [-fullScale, fullScale - 1]; NaN becomes 0. */
    private static long quantize(float v, long fullScale) {
        if (Float.isNaN(v)) return 0;
        long s = Math.round((double) v * fullScale);
        return Math.max(-fullScale, Math.min(fullScale - 1, s));
    }

    private static byte[] ascii(String s) {
        return s.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    }
}
