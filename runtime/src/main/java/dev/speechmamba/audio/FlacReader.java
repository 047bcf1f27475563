package dev.speechmamba.audio;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;

/**
 * Decodes FLAC (RFC 9639) files: 4 to 32 bits per sample, 1 to 8 channels, fixed or variable block sizes,
 * every subframe type (constant, verbatim, fixed, LPC), both Rice coding methods with escapes, wasted bits and
 * the three stereo decorrelation modes. A leading ID3v2 tag is skipped. Channels are averaged to mono.
 *
 * <p>Written here because no well-kept FLAC decoder is on Maven Central (the Java ones there are unmaintained).
 * Integrity is checked the way the format intends: the CRC-8 of every frame header, the CRC-16 of every frame,
 * and the MD5 of all decoded samples against STREAMINFO when the encoder stored one. Every read is bounds
 * checked, the decoded length is capped by STREAMINFO's sample count (or {@link #MAX_SAMPLES_UNKNOWN_LENGTH}
 * when the stream does not say), so a corrupt or hostile file ends in an {@link AudioFormatException} naming
 * the file, the frame and the problem.
 */
public final class FlacReader {

    /** Decoded-length cap for streams whose STREAMINFO leaves the total unknown (about 4.6 h at 16 kHz). */
    public static final long MAX_SAMPLES_UNKNOWN_LENGTH = 1L << 28;
    private static final int MAX_FILE_BYTES = Integer.MAX_VALUE - 16;
    private static final int[] CRC8 = new int[256];
    private static final int[] CRC16 = new int[256];

    static {
        for (int i = 0; i < 256; i++) {
            int c8 = i;
            for (int b = 0; b < 8; b++) c8 = (c8 & 0x80) != 0 ? (c8 << 1) ^ 0x07 : c8 << 1;
            CRC8[i] = c8 & 0xFF;
            int c16 = i << 8;
            for (int b = 0; b < 8; b++) c16 = (c16 & 0x8000) != 0 ? (c16 << 1) ^ 0x8005 : c16 << 1;
            CRC16[i] = c16 & 0xFFFF;
        }
    }

    private FlacReader() { }

    /** Decodes {@code file} to mono at its own sample rate. */
    public static Audio readMono(Path file) throws IOException {
        long size = Files.size(file);
        if (size == 0) throw new AudioFormatException(file, "empty file (0 bytes)");
        if (size > MAX_FILE_BYTES) throw new AudioFormatException(file, "too large to decode in memory (" + size + " bytes)");
        return new Decoder(file, Files.readAllBytes(file)).decode();
    }

    private static final class Decoder {
        private final Path file;
        private final byte[] data;
        private final Bits bits;
        private int sampleRate;
        private int channels;
        private int bitsPerSample;
        private long totalSamples;
        private byte[] md5;
        private int maxBlockSize;
        private float[] mono = new float[0];
        private int decoded;
        private int frameIndex;
        private MessageDigest digest;

        Decoder(Path file, byte[] data) {
            this.file = file;
            this.data = data;
            this.bits = new Bits(file, data);
        }

        Audio decode() throws IOException {
            int start = skipId3(0);
            if (data.length - start < 4 || data[start] != 'f' || data[start + 1] != 'L' || data[start + 2] != 'a' || data[start + 3] != 'C') {
                throw new AudioFormatException(file, start > 0
                        ? "an ID3-tagged file that is not FLAC (MP3 and other compressed formats are not supported)"
                        : "not a FLAC file (no \"fLaC\" marker)");
            }
            bits.seekByte(start + 4);
            readMetadata();
            long cap = totalSamples > 0 ? totalSamples : MAX_SAMPLES_UNKNOWN_LENGTH;
            if (cap > Integer.MAX_VALUE - 16) throw new AudioFormatException(file, "too long to decode in memory (" + cap + " samples)");
            mono = new float[(int) Math.min(cap, 1 << 20)];
            boolean checkMd5 = md5 != null;
            if (checkMd5) {
                try {
                    digest = MessageDigest.getInstance("MD5");
                } catch (NoSuchAlgorithmException e) {
                    checkMd5 = false;
                }
            }
            while (bits.bytePosition() < data.length) {
                if (totalSamples > 0 && decoded == totalSamples) break; // trailing tags (e.g. ID3v1) are ignored
                if (data.length - bits.bytePosition() < 2 || !isSync(bits.bytePosition())) {
                    if (decoded > 0 && totalSamples == 0) break; // trailing bytes after a stream of unknown length
                    throw new AudioFormatException(file, "corrupt: frame " + frameIndex + " does not start with a frame sync code"
                            + " (byte " + bits.bytePosition() + ")");
                }
                readFrame(cap);
                frameIndex++;
            }
            if (decoded == 0) throw new AudioFormatException(file, "no audio samples (the stream has no frames)");
            if (totalSamples > 0 && decoded != totalSamples) {
                throw new AudioFormatException(file, "truncated: STREAMINFO promises " + totalSamples + " samples but the frames hold "
                        + decoded);
            }
            if (checkMd5 && !MessageDigest.isEqual(md5, digest.digest())) {
                throw new AudioFormatException(file, "corrupt: the decoded samples do not match the MD5 signature in STREAMINFO");
            }
            return new Audio(Arrays.copyOf(mono, decoded), sampleRate);
        }

        private int skipId3(int at) throws AudioFormatException {
            if (data.length >= at + 10 && data[at] == 'I' && data[at + 1] == 'D' && data[at + 2] == '3') {
                long size = 0;
                for (int i = 6; i < 10; i++) size = size << 7 | (data[at + i] & 0x7F);
                long next = at + 10 + size + ((data[at + 5] & 0x10) != 0 ? 10 : 0);
                if (next > data.length) throw new AudioFormatException(file, "truncated: the ID3v2 tag runs past the end of the file");
                return (int) next;
            }
            return at;
        }

        private boolean isSync(int at) {
            return (data[at] & 0xFF) == 0xFF && (data[at + 1] & 0xFE) == 0xF8;
        }

        private void readMetadata() throws IOException {
            boolean last = false;
            boolean first = true;
            while (!last) {
                if (data.length - bits.bytePosition() < 4) throw new AudioFormatException(file, "truncated in the metadata blocks");
                last = bits.read(1) == 1;
                int type = (int) bits.read(7);
                int length = (int) bits.read(24);
                int body = bits.bytePosition();
                if (length > data.length - body) {
                    throw new AudioFormatException(file, "truncated: metadata block of type " + type + " declares " + length
                            + " bytes but only " + (data.length - body) + " follow");
                }
                if (first && type != 0) throw new AudioFormatException(file, "corrupt: the first metadata block is not STREAMINFO");
                if (type == 0) {
                    if (!first) throw new AudioFormatException(file, "corrupt: a second STREAMINFO block");
                    if (length < 34) throw new AudioFormatException(file, "corrupt: STREAMINFO is " + length + " bytes, need 34");
                    bits.read(16); // minimum block size
                    maxBlockSize = (int) bits.read(16);
                    bits.read(24);
                    bits.read(24);
                    sampleRate = (int) bits.read(20);
                    channels = (int) bits.read(3) + 1;
                    bitsPerSample = (int) bits.read(5) + 1;
                    totalSamples = bits.read(36);
                    byte[] signature = Arrays.copyOfRange(data, bits.bytePosition(), bits.bytePosition() + 16);
                    boolean zero = true;
                    for (byte b : signature) zero &= b == 0;
                    md5 = zero ? null : signature;
                    if (sampleRate == 0) throw new AudioFormatException(file, "STREAMINFO says a sample rate of 0 Hz");
                    if (bitsPerSample < 4) throw new AudioFormatException(file, "unsupported sample size " + bitsPerSample + " bits");
                }
                first = false;
                bits.seekByte(body + length);
            }
        }

        private void readFrame(long cap) throws IOException {
            int frameStart = bits.bytePosition();
            bits.read(15); // sync and reserved bit, checked by isSync
            bits.read(1);  // blocking strategy: the decoder does not need it
            int blockCode = (int) bits.read(4);
            int rateCode = (int) bits.read(4);
            int assignment = (int) bits.read(4);
            int sizeCode = (int) bits.read(3);
            if (bits.read(1) != 0) throw corrupt("reserved bit set in the frame header");
            readCodedNumber();
            int blockSize = switch (blockCode) {
                case 0 -> throw corrupt("reserved block size code 0");
                case 1 -> 192;
                case 2, 3, 4, 5 -> 576 << (blockCode - 2);
                case 6 -> (int) bits.read(8) + 1;
                case 7 -> (int) bits.read(16) + 1;
                default -> 256 << (blockCode - 8);
            };
            int rate = switch (rateCode) {
                case 0 -> sampleRate;
                case 1 -> 88200;
                case 2 -> 176400;
                case 3 -> 192000;
                case 4 -> 8000;
                case 5 -> 16000;
                case 6 -> 22050;
                case 7 -> 24000;
                case 8 -> 32000;
                case 9 -> 44100;
                case 10 -> 48000;
                case 11 -> 96000;
                case 12 -> (int) bits.read(8) * 1000;
                case 13 -> (int) bits.read(16);
                case 14 -> (int) bits.read(16) * 10;
                default -> throw corrupt("invalid sample rate code 15");
            };
            int frameBits = switch (sizeCode) {
                case 0 -> bitsPerSample;
                case 1 -> 8;
                case 2 -> 12;
                case 4 -> 16;
                case 5 -> 20;
                case 6 -> 24;
                case 7 -> 32;
                default -> throw corrupt("reserved sample size code 3");
            };
            int frameChannels = assignment < 8 ? assignment + 1 : 2;
            if (assignment > 10) throw corrupt("reserved channel assignment " + assignment);
            int headerEnd = bits.bytePosition();
            int expectedCrc8 = (int) bits.read(8);
            if (crc8(frameStart, headerEnd) != expectedCrc8) throw corrupt("frame header CRC-8 mismatch");
            if (rate != sampleRate) throw corrupt("sample rate changes mid-stream (" + sampleRate + " -> " + rate + " Hz)");
            if (frameChannels != channels) throw corrupt("channel count changes mid-stream (" + channels + " -> " + frameChannels + ")");
            if (frameBits != bitsPerSample) throw corrupt("sample size changes mid-stream (" + bitsPerSample + " -> " + frameBits + " bits)");
            if (maxBlockSize >= 16 && blockSize > maxBlockSize) {
                throw corrupt("block of " + blockSize + " samples exceeds STREAMINFO's maximum " + maxBlockSize);
            }
            if (decoded + (long) blockSize > cap) {
                throw new AudioFormatException(file, totalSamples > 0
                        ? "corrupt: frame " + frameIndex + " runs past the " + totalSamples + " samples STREAMINFO promises"
                        : "too long to decode in memory (over " + cap + " samples)");
            }
            long[][] samples = new long[channels][blockSize]; // (channels, blockSize)
            for (int c = 0; c < channels; c++) {
                boolean side = (assignment == 8 && c == 1) || (assignment == 9 && c == 0) || (assignment == 10 && c == 1);
                readSubframe(samples[c], bitsPerSample + (side ? 1 : 0));
            }
            bits.alignToByte();
            int crcEnd = bits.bytePosition();
            int expectedCrc16 = (int) bits.read(16);
            if (crc16(frameStart, crcEnd) != expectedCrc16) throw corrupt("frame CRC-16 mismatch");
            decorrelate(samples, assignment, blockSize);
            append(samples, blockSize);
        }

        private void readCodedNumber() throws IOException {
            int first = (int) bits.read(8);
            int extra = Integer.numberOfLeadingZeros(~(first << 24)); // count of leading one bits
            if (extra == 1 || extra > 7) throw corrupt("invalid coded frame number");
            for (int i = 1; i < extra; i++) {
                if ((bits.read(8) & 0xC0) != 0x80) throw corrupt("invalid coded frame number");
            }
        }

        private void readSubframe(long[] out, int sampleBits) throws IOException {
            if (bits.read(1) != 0) throw corrupt("subframe padding bit set");
            int type = (int) bits.read(6);
            int wasted = 0;
            if (bits.read(1) == 1) wasted = bits.unary() + 1;
            if (wasted >= sampleBits) throw corrupt("wasted bits " + wasted + " >= sample size " + sampleBits);
            int width = sampleBits - wasted;
            int blockSize = out.length;
            if (type == 0) {
                Arrays.fill(out, bits.signed(width));
            } else if (type == 1) {
                for (int i = 0; i < blockSize; i++) out[i] = bits.signed(width);
            } else if (type >= 8 && type <= 12) {
                int order = type - 8;
                if (order > blockSize) throw corrupt("fixed predictor order " + order + " exceeds block size " + blockSize);
                for (int i = 0; i < order; i++) out[i] = bits.signed(width);
                residual(out, order);
                for (int i = order; i < blockSize; i++) {
                    out[i] += switch (order) {
                        case 0 -> 0;
                        case 1 -> out[i - 1];
                        case 2 -> 2 * out[i - 1] - out[i - 2];
                        case 3 -> 3 * out[i - 1] - 3 * out[i - 2] + out[i - 3];
                        default -> 4 * out[i - 1] - 6 * out[i - 2] + 4 * out[i - 3] - out[i - 4];
                    };
                }
            } else if (type >= 32) {
                int order = type - 31;
                if (order > blockSize) throw corrupt("LPC order " + order + " exceeds block size " + blockSize);
                for (int i = 0; i < order; i++) out[i] = bits.signed(width);
                int precision = (int) bits.read(4) + 1;
                if (precision == 16) throw corrupt("invalid LPC coefficient precision");
                int shift = (int) bits.signed(5);
                if (shift < 0) throw corrupt("negative LPC shift " + shift);
                long[] coefficients = new long[order];
                for (int j = 0; j < order; j++) coefficients[j] = bits.signed(precision);
                residual(out, order);
                for (int i = order; i < blockSize; i++) {
                    long prediction = 0;
                    for (int j = 0; j < order; j++) prediction += coefficients[j] * out[i - 1 - j];
                    out[i] += prediction >> shift;
                }
            } else {
                throw corrupt("reserved subframe type " + type);
            }
            if (wasted > 0) for (int i = 0; i < blockSize; i++) out[i] <<= wasted;
        }

        /** Reads the Rice-coded residual into out[order..] (to which the caller adds the prediction). */
        private void residual(long[] out, int order) throws IOException {
            int method = (int) bits.read(2);
            if (method > 1) throw corrupt("reserved residual coding method " + method);
            int parameterBits = method == 0 ? 4 : 5;
            int escape = (1 << parameterBits) - 1;
            int partitionOrder = (int) bits.read(4);
            int partitions = 1 << partitionOrder;
            int blockSize = out.length;
            if (blockSize % partitions != 0 || blockSize / partitions < order) {
                throw corrupt("partition order " + partitionOrder + " does not fit a block of " + blockSize);
            }
            int at = order;
            for (int p = 0; p < partitions; p++) {
                int count = blockSize / partitions - (p == 0 ? order : 0);
                int parameter = (int) bits.read(parameterBits);
                if (parameter == escape) {
                    int width = (int) bits.read(5);
                    for (int i = 0; i < count; i++) out[at++] = width == 0 ? 0 : bits.signed(width);
                } else {
                    for (int i = 0; i < count; i++) {
                        long folded = ((long) bits.unary() << parameter) | bits.read(parameter);
                        out[at++] = (folded >>> 1) ^ -(folded & 1);
                    }
                }
            }
        }

        private void decorrelate(long[][] s, int assignment, int n) {
            switch (assignment) {
                case 8 -> { for (int i = 0; i < n; i++) s[1][i] = s[0][i] - s[1][i]; }
                case 9 -> { for (int i = 0; i < n; i++) s[0][i] += s[1][i]; }
                case 10 -> {
                    for (int i = 0; i < n; i++) {
                        long mid = s[0][i] << 1 | (s[1][i] & 1);
                        long side = s[1][i];
                        s[0][i] = (mid + side) >> 1;
                        s[1][i] = (mid - side) >> 1;
                    }
                }
                default -> { }
            }
        }

        private void append(long[][] s, int n) {
            if (decoded + n > mono.length) mono = Arrays.copyOf(mono, Math.max(decoded + n, (int) Math.min(Integer.MAX_VALUE - 16, 2L * mono.length)));
            double scale = 1.0 / ((1L << (bitsPerSample - 1)) * (double) channels);
            int bytes = (bitsPerSample + 7) / 8;
            byte[] md5Block = digest != null ? new byte[n * channels * bytes] : null;
            int at = 0;
            for (int i = 0; i < n; i++) {
                long sum = 0;
                for (int c = 0; c < channels; c++) {
                    long v = s[c][i];
                    sum += v;
                    if (md5Block != null) for (int b = 0; b < bytes; b++) md5Block[at++] = (byte) (v >> (8 * b));
                }
                mono[decoded + i] = (float) (sum * scale);
            }
            if (md5Block != null) digest.update(md5Block);
            decoded += n;
        }

        private int crc8(int from, int to) {
            int crc = 0;
            for (int i = from; i < to; i++) crc = CRC8[(crc ^ data[i]) & 0xFF];
            return crc;
        }

        private int crc16(int from, int to) {
            int crc = 0;
            for (int i = from; i < to; i++) crc = ((crc << 8) ^ CRC16[((crc >> 8) ^ data[i]) & 0xFF]) & 0xFFFF;
            return crc;
        }

        private AudioFormatException corrupt(String problem) {
            return new AudioFormatException(file, "corrupt FLAC frame " + frameIndex + ": " + problem);
        }
    }

    /** Big-endian bit reader over the whole file; reading past the end is a "truncated" error. */
    private static final class Bits {
        private static final java.lang.invoke.VarHandle BIG_ENDIAN_LONG =
                java.lang.invoke.MethodHandles.byteArrayViewVarHandle(long[].class, java.nio.ByteOrder.BIG_ENDIAN);
        private final Path file;
        private final byte[] data;
        private long position; // in bits

        Bits(Path file, byte[] data) {
            this.file = file;
            this.data = data;
        }

        int bytePosition() { return (int) (position >>> 3); }

        void seekByte(int at) { position = (long) at << 3; }

        void alignToByte() { position = (position + 7) & ~7L; }

        /** Unsigned value of the next {@code n} (0..36) bits. */
        long read(int n) throws AudioFormatException {
            if (n == 0) return 0;
            if (position + n > (long) data.length << 3) throw truncated();
            int bytePos = (int) (position >>> 3);
            int bitInByte = (int) (position & 7);
            if (bytePos + 8 <= data.length) { // fast path: one 64-bit window holds all n + 7 bits
                long window = (long) BIG_ENDIAN_LONG.get(data, bytePos);
                position += n;
                return (window << bitInByte) >>> (64 - n);
            }
            long v = 0;
            int remaining = n;
            while (remaining > 0) {
                bytePos = (int) (position >>> 3);
                bitInByte = (int) (position & 7);
                int take = Math.min(8 - bitInByte, remaining);
                int chunk = ((data[bytePos] & 0xFF) >>> (8 - bitInByte - take)) & ((1 << take) - 1);
                v = (v << take) | chunk;
                remaining -= take;
                position += take;
            }
            return v;
        }

        /** Two's complement value of the next {@code n} (1..33) bits. */
        long signed(int n) throws AudioFormatException {
            long v = read(n);
            return (v << (64 - n)) >> (64 - n);
        }

        /** Zero bits before the next one bit (which is consumed). */
        int unary() throws AudioFormatException {
            int count = 0;
            while (true) {
                int bytePos = (int) (position >>> 3);
                int bitInByte = (int) (position & 7);
                if (bytePos + 8 <= data.length) {
                    long window = (long) BIG_ENDIAN_LONG.get(data, bytePos) << bitInByte;
                    if (window != 0) {
                        int zeros = Long.numberOfLeadingZeros(window);
                        position += zeros + 1;
                        return count + zeros;
                    }
                    count += 64 - bitInByte;
                    position += 64 - bitInByte;
                } else {
                    if (bytePos >= data.length) throw truncated();
                    int rest = (data[bytePos] << bitInByte) & 0xFF;
                    if (rest != 0) {
                        int zeros = Integer.numberOfLeadingZeros(rest) - 24;
                        position += zeros + 1;
                        return count + zeros;
                    }
                    count += 8 - bitInByte;
                    position += 8 - bitInByte;
                }
                if (count > (1 << 30)) throw new AudioFormatException(file, "corrupt: endless unary code");
            }
        }

        private AudioFormatException truncated() {
            return new AudioFormatException(file, "truncated: the FLAC stream ends in the middle of a frame or block");
        }
    }
}
