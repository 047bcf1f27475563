package dev.speechmamba.audio;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Locale;

/**
 * Reads RIFF/WAVE files: integer PCM of 8 (unsigned), 16, 24 and 32 bits and IEEE float of 32 and 64 bits,
 * plain or WAVE_FORMAT_EXTENSIBLE, any channel count (mixed to mono by averaging) and any sample rate.
 *
 * <p>Chunks may come in any order; unknown chunks are skipped, odd-sized chunks carry their pad byte. Every
 * size in the header is checked against the file length before anything is allocated or read, and the
 * chunk walk always advances, so a corrupt or lying header ends in an {@link AudioFormatException} naming
 * the file and the problem, never a hang or an out-of-memory error.
 */
public final class WavReader {

    /** Largest mono sample count decoded into one Java array. */
    private static final long MAX_SAMPLES = Integer.MAX_VALUE - 16;
    /** Bytes converted per read of the data chunk; keeps the transient buffer small for long recordings. */
    private static final int READ_BLOCK = 1 << 20;
    private static final int FORMAT_PCM = 0x0001;
    private static final int FORMAT_FLOAT = 0x0003;
    private static final int FORMAT_EXTENSIBLE = 0xFFFE;
    /** Bytes 2..15 of the KSDATAFORMAT_SUBTYPE_* GUIDs; the first two bytes carry the format tag. */
    private static final byte[] SUBTYPE_GUID_TAIL = {0x00, 0x00, 0x00, 0x00, 0x10, 0x00, (byte) 0x80, 0x00,
            0x00, (byte) 0xAA, 0x00, 0x38, (byte) 0x9B, 0x71};

    private WavReader() { }

    /** The validated header of {@code file} (reads only the chunk headers and the fmt chunk). */
    public static WavInfo info(Path file) throws IOException {
        try (FileChannel channel = open(file)) {
            return parse(file, channel).info;
        }
    }

    /** Decodes {@code file} to mono (the average of all channels) at its own sample rate. */
    public static Audio readMono(Path file) throws IOException {
        try (FileChannel channel = open(file)) {
            Layout layout = parse(file, channel);
            return new Audio(decodeMono(file, channel, layout), layout.info.sampleRate());
        }
    }

    /** Decodes {@code file} to mono and resamples it to 16 kHz, the rate the features expect. */
    public static Audio read16kMono(Path file) throws IOException {
        return readMono(file).to16k();
    }

    private static FileChannel open(Path file) throws IOException {
        try {
            return FileChannel.open(file, StandardOpenOption.READ);
        } catch (NoSuchFileException e) {
            throw new NoSuchFileException(file.toString(), null, "no such audio file");
        }
    }

    /** Where the samples are and how to read them. */
    private record Layout(WavInfo info, long dataOffset, int blockAlign) { }

    private static Layout parse(Path file, FileChannel channel) throws IOException {
        long fileSize = channel.size();
        if (fileSize == 0) throw new AudioFormatException(file, "empty file (0 bytes)");
        if (fileSize < 12) {
            throw new AudioFormatException(file, "too short for a WAV file (" + fileSize + " bytes; the RIFF header alone is 12)");
        }
        ByteBuffer header = readAt(file, channel, 0, 12);
        String riff = fourCc(header, 0);
        switch (riff) {
            case "RIFF" -> { }
            case "RIFX" -> throw new AudioFormatException(file, "big-endian RIFX WAV files are not supported");
            case "RF64" -> throw new AudioFormatException(file, "RF64 (64-bit WAV) files are not supported");
            default -> throw new AudioFormatException(file, "not a WAV file: it starts with " + printable(header, 0, 4)
                    + " instead of \"RIFF\"");
        }
        if (!fourCc(header, 8).equals("WAVE")) {
            throw new AudioFormatException(file, "a RIFF file but not WAVE (form type " + printable(header, 8, 4) + ")");
        }
        // A streaming writer may leave the RIFF size at 0 or 0xFFFFFFFF; the chunk walk trusts the file length.
        long fmtOffset = -1;
        long fmtSize = 0;
        long dataOffset = -1;
        long dataSize = 0;
        long position = 12;
        while (position + 8 <= fileSize) {
            ByteBuffer chunk = readAt(file, channel, position, 8);
            String id = fourCc(chunk, 0);
            long size = Integer.toUnsignedLong(chunk.getInt(4));
            long body = position + 8;
            long remaining = fileSize - body;
            if (id.equals("data")) {
                if (dataOffset >= 0) throw new AudioFormatException(file, "more than one data chunk");
                if (size == 0xFFFFFFFFL) size = remaining; // "size unknown" from a streaming writer
                if (size > remaining) {
                    throw new AudioFormatException(file, "truncated: the data chunk declares " + size
                            + " bytes but only " + remaining + " follow it");
                }
                dataOffset = body;
                dataSize = size;
            } else if (id.equals("fmt ")) {
                if (fmtOffset >= 0) throw new AudioFormatException(file, "more than one fmt chunk");
                if (size > remaining) {
                    throw new AudioFormatException(file, "truncated: the fmt chunk declares " + size
                            + " bytes but only " + remaining + " follow it");
                }
                fmtOffset = body;
                fmtSize = size;
            } else if (size > remaining) {
                // An unknown chunk that runs past the end: harmless once both needed chunks were seen.
                if (fmtOffset >= 0 && dataOffset >= 0) break;
                throw new AudioFormatException(file, "truncated: chunk " + printable(chunk, 0, 4) + " at byte " + position
                        + " declares " + size + " bytes but only " + remaining + " follow it");
            }
            position = body + size + (size & 1);
        }
        if (fmtOffset < 0) throw new AudioFormatException(file, "no fmt chunk (not a valid WAV file, or truncated)");
        if (dataOffset < 0) throw new AudioFormatException(file, "no data chunk (not a valid WAV file, or truncated)");
        return layout(file, channel, fmtOffset, fmtSize, dataOffset, dataSize);
    }

    private static Layout layout(Path file, FileChannel channel, long fmtOffset, long fmtSize, long dataOffset,
                                 long dataSize) throws IOException {
        if (fmtSize < 16) throw new AudioFormatException(file, "fmt chunk too short (" + fmtSize + " bytes, need 16)");
        ByteBuffer fmt = readAt(file, channel, fmtOffset, (int) Math.min(fmtSize, 40));
        int formatTag = Short.toUnsignedInt(fmt.getShort(0));
        int channels = Short.toUnsignedInt(fmt.getShort(2));
        long sampleRate = Integer.toUnsignedLong(fmt.getInt(4));
        int blockAlign = Short.toUnsignedInt(fmt.getShort(12));
        int bitsPerSample = Short.toUnsignedInt(fmt.getShort(14));
        boolean extensible = formatTag == FORMAT_EXTENSIBLE;
        if (extensible) {
            if (fmtSize < 40) {
                throw new AudioFormatException(file, "WAVE_FORMAT_EXTENSIBLE fmt chunk too short (" + fmtSize + " bytes, need 40)");
            }
            for (int i = 0; i < SUBTYPE_GUID_TAIL.length; i++) {
                if (fmt.get(26 + i) != SUBTYPE_GUID_TAIL[i]) {
                    throw new AudioFormatException(file, "unsupported WAVE_FORMAT_EXTENSIBLE sub-format (not a standard KSDATAFORMAT GUID)");
                }
            }
            formatTag = Short.toUnsignedInt(fmt.getShort(24));
        }
        if (channels == 0) throw new AudioFormatException(file, "the fmt chunk says 0 channels");
        if (sampleRate == 0) throw new AudioFormatException(file, "the fmt chunk says a sample rate of 0 Hz");
        if (sampleRate > 1_000_000) throw new AudioFormatException(file, "implausible sample rate " + sampleRate + " Hz");
        WavEncoding encoding = encoding(file, formatTag, bitsPerSample);
        if (blockAlign != channels * encoding.bytesPerSample()) {
            throw new AudioFormatException(file, "inconsistent fmt chunk: block align " + blockAlign + " but " + channels
                    + " channel(s) of " + bitsPerSample + "-bit samples need " + channels * encoding.bytesPerSample());
        }
        long frames = dataSize / blockAlign;
        if (frames == 0) throw new AudioFormatException(file, "no audio samples (the data chunk is empty)");
        if (frames > MAX_SAMPLES) {
            throw new AudioFormatException(file, "too long to decode in memory (" + frames + " frames)");
        }
        return new Layout(new WavInfo(encoding, channels, (int) sampleRate, frames, extensible), dataOffset, blockAlign);
    }

    private static WavEncoding encoding(Path file, int formatTag, int bitsPerSample) throws AudioFormatException {
        if (formatTag == FORMAT_PCM) {
            return switch (bitsPerSample) {
                case 8 -> WavEncoding.PCM_U8;
                case 16 -> WavEncoding.PCM_S16;
                case 24 -> WavEncoding.PCM_S24;
                case 32 -> WavEncoding.PCM_S32;
                default -> throw new AudioFormatException(file, "unsupported PCM sample size " + bitsPerSample
                        + " bits (supported: 8, 16, 24, 32)");
            };
        }
        if (formatTag == FORMAT_FLOAT) {
            return switch (bitsPerSample) {
                case 32 -> WavEncoding.FLOAT32;
                case 64 -> WavEncoding.FLOAT64;
                default -> throw new AudioFormatException(file, "unsupported float sample size " + bitsPerSample
                        + " bits (supported: 32, 64)");
            };
        }
        String name = switch (formatTag) {
            case 0x0002 -> " (Microsoft ADPCM)";
            case 0x0006 -> " (A-law)";
            case 0x0007 -> " (mu-law)";
            case 0x0011 -> " (IMA ADPCM)";
            case 0x0031 -> " (GSM 6.10)";
            case 0x0055 -> " (MPEG layer 3)";
            default -> "";
        };
        throw new AudioFormatException(file, String.format(Locale.ROOT,
                "unsupported WAV encoding: format tag 0x%04X%s; convert to PCM or float first", formatTag, name));
    }

    private static float[] decodeMono(Path file, FileChannel channel, Layout layout) throws IOException {
        WavInfo info = layout.info;
        int channels = info.channels();
        int blockAlign = layout.blockAlign;
        int frames = (int) info.frames();
        float[] mono = new float[frames]; // (frames,)
        int framesPerBlock = Math.max(1, READ_BLOCK / blockAlign);
        ByteBuffer buffer = ByteBuffer.allocate(framesPerBlock * blockAlign).order(ByteOrder.LITTLE_ENDIAN);
        float channelWeight = 1f / channels;
        WavEncoding encoding = info.encoding();
        for (int start = 0; start < frames; start += framesPerBlock) {
            int count = Math.min(framesPerBlock, frames - start);
            buffer.clear().limit(count * blockAlign);
            fill(file, channel, buffer, layout.dataOffset + (long) start * blockAlign);
            int at = 0;
            for (int f = 0; f < count; f++) {
                double sum = 0;
                for (int c = 0; c < channels; c++) {
                    sum += sample(buffer, at, encoding);
                    at += encoding.bytesPerSample();
                }
                mono[start + f] = channels == 1 ? (float) sum : (float) (sum * channelWeight);
            }
        }
        return mono;
    }

    private static double sample(ByteBuffer b, int at, WavEncoding encoding) {
        return switch (encoding) {
            case PCM_U8 -> ((b.get(at) & 0xFF) - 128) / 128.0;
            case PCM_S16 -> b.getShort(at) / 32768.0;
            case PCM_S24 -> ((b.get(at) & 0xFF) | (b.get(at + 1) & 0xFF) << 8 | b.get(at + 2) << 16) / 8388608.0;
            case PCM_S32 -> b.getInt(at) / 2147483648.0;
            case FLOAT32 -> b.getFloat(at);
            case FLOAT64 -> b.getDouble(at);
        };
    }

    private static ByteBuffer readAt(Path file, FileChannel channel, long position, int length) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(length).order(ByteOrder.LITTLE_ENDIAN);
        fill(file, channel, buffer, position);
        return buffer;
    }

    /** Fills {@code buffer} from {@code position}; the file shrinking under us is reported, not looped on. */
    private static void fill(Path file, FileChannel channel, ByteBuffer buffer, long position) throws IOException {
        long at = position;
        while (buffer.hasRemaining()) {
            int n = channel.read(buffer, at);
            if (n < 0) {
                throw new AudioFormatException(file, "unexpected end of file at byte " + at,
                        new EOFException());
            }
            at += n;
        }
        buffer.flip();
    }

    private static String fourCc(ByteBuffer b, int at) {
        char[] c = new char[4];
        for (int i = 0; i < 4; i++) c[i] = (char) (b.get(at + i) & 0xFF);
        return new String(c);
    }

    /** Four bytes as a quoted string when printable, hex otherwise (error messages). */
    private static String printable(ByteBuffer b, int at, int length) {
        StringBuilder text = new StringBuilder("\"");
        StringBuilder hex = new StringBuilder();
        boolean ok = true;
        for (int i = 0; i < length; i++) {
            int v = b.get(at + i) & 0xFF;
            ok &= v >= 0x20 && v < 0x7F;
            text.append((char) v);
            hex.append(String.format(Locale.ROOT, "%02X", v));
        }
        return ok ? text.append('"').toString() : "bytes 0x" + hex;
    }
}
