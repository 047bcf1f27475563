package dev.speechmamba.audio;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(10)
class WavReaderTest {

    @TempDir
    Path dir;

    /** Builds RIFF files byte by byte, independently of {@link WavWriter}. */
    static final class Riff {
        private final ByteArrayOutputStream body = new ByteArrayOutputStream();
        private Integer riffSizeOverride;

        Riff chunk(String id, byte[] data) { return chunk(id, data, data.length); }

        /** A chunk whose header declares {@code declared} bytes (possibly a lie); pads odd sizes. */
        Riff chunk(String id, byte[] data, long declared) {
            body.writeBytes(id.getBytes(StandardCharsets.US_ASCII));
            body.writeBytes(le32((int) declared));
            body.writeBytes(data);
            if ((data.length & 1) != 0) body.write(0);
            return this;
        }

        Riff riffSize(int size) { riffSizeOverride = size; return this; }

        byte[] bytes(String magic) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            out.writeBytes(magic.getBytes(StandardCharsets.US_ASCII));
            out.writeBytes(le32(riffSizeOverride != null ? riffSizeOverride : body.size() + 4));
            out.writeBytes("WAVE".getBytes(StandardCharsets.US_ASCII));
            out.writeBytes(body.toByteArray());
            return out.toByteArray();
        }

        byte[] bytes() { return bytes("RIFF"); }
    }

    static byte[] le32(int v) { return ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(v).array(); }

    static byte[] fmt(int tag, int channels, int rate, int bits) {
        int align = channels * ((bits + 7) / 8);
        return ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putShort((short) tag).putShort((short) channels)
                .putInt(rate).putInt(rate * align).putShort((short) align).putShort((short) bits).array();
    }

    static byte[] fmtExtensible(int subTag, int channels, int rate, int bits, int validBits) {
        int align = channels * (bits / 8);
        ByteBuffer b = ByteBuffer.allocate(40).order(ByteOrder.LITTLE_ENDIAN).putShort((short) 0xFFFE).putShort((short) channels)
                .putInt(rate).putInt(rate * align).putShort((short) align).putShort((short) bits)
                .putShort((short) 22).putShort((short) validBits).putInt(channels == 2 ? 3 : 4).putShort((short) subTag);
        b.put(new byte[] {0x00, 0x00, 0x00, 0x00, 0x10, 0x00, (byte) 0x80, 0x00, 0x00, (byte) 0xAA, 0x00, 0x38, (byte) 0x9B, 0x71});
        return b.array();
    }

    static byte[] shorts(int... values) {
        ByteBuffer b = ByteBuffer.allocate(values.length * 2).order(ByteOrder.LITTLE_ENDIAN);
        for (int v : values) b.putShort((short) v);
        return b.array();
    }

    private Path file(String name, byte[] bytes) throws IOException {
        Path p = dir.resolve(name);
        Files.write(p, bytes);
        return p;
    }

    @ParameterizedTest
    @EnumSource(WavEncoding.class)
    void everyEncodingRoundTripsAndStereoIsAveraged(WavEncoding encoding) throws IOException {
        int frames = 1000;
        float[] interleaved = new float[frames * 2]; // (frames, 2)
        for (int i = 0; i < frames; i++) {
            interleaved[2 * i] = (float) (0.6 * Math.sin(i * 0.05));
            interleaved[2 * i + 1] = (float) (0.3 * Math.cos(i * 0.031) - 0.1);
        }
        Path p = dir.resolve(encoding + ".wav");
        WavWriter.write(p, interleaved, 2, 22050, encoding);
        WavInfo info = WavReader.info(p);
        assertEquals(new WavInfo(encoding, 2, 22050, frames, false), info);
        Audio audio = WavReader.readMono(p);
        assertEquals(22050, audio.sampleRate());
        assertEquals(frames, audio.samples().length);
        double step = switch (encoding) {
            case PCM_U8 -> 1.0 / 128;
            case PCM_S16 -> 1.0 / 32768;
            case PCM_S24 -> 1.0 / 8388608;
            default -> 1e-7;
        };
        for (int i = 0; i < frames; i++) {
            double expected = 0.5 * (interleaved[2 * i] + interleaved[2 * i + 1]);
            assertEquals(expected, audio.samples()[i], step, "frame " + i);
        }
    }

    @Test
    void integerFullScaleFollowsTheWavConvention() throws IOException {
        byte[] u8 = {(byte) 0x80, (byte) 0xFF, 0x00, 0x40};
        Path p8 = file("u8.wav", new Riff().chunk("fmt ", fmt(1, 1, 8000, 8)).chunk("data", u8).bytes());
        assertArrayEquals(new float[] {0f, 127f / 128, -1f, -0.5f}, WavReader.readMono(p8).samples());
        Path p16 = file("s16.wav", new Riff().chunk("fmt ", fmt(1, 1, 8000, 16)).chunk("data", shorts(0, 32767, -32768, 16384)).bytes());
        assertArrayEquals(new float[] {0f, 32767f / 32768, -1f, 0.5f}, WavReader.readMono(p16).samples());
        byte[] s24 = {0x00, 0x00, (byte) 0x80, (byte) 0xFF, (byte) 0xFF, 0x7F, 0x00, 0x00, 0x40};
        Path p24 = file("s24.wav", new Riff().chunk("fmt ", fmt(1, 1, 8000, 24)).chunk("data", s24).bytes());
        assertArrayEquals(new float[] {-1f, 8388607f / 8388608, 0.5f}, WavReader.readMono(p24).samples());
    }

    @Test
    void extensibleFormatWith24BitStereo() throws IOException {
        // Two frames: (+0.5, -0.5) and (0.25, 0.75) in 24-bit.
        byte[] data = {0x00, 0x00, 0x40, 0x00, 0x00, (byte) 0xC0, 0x00, 0x00, 0x20, 0x00, 0x00, 0x60};
        Path p = file("ext.wav", new Riff().chunk("fmt ", fmtExtensible(1, 2, 48000, 24, 24)).chunk("data", data).bytes());
        WavInfo info = WavReader.info(p);
        assertEquals(new WavInfo(WavEncoding.PCM_S24, 2, 48000, 2, true), info);
        assertArrayEquals(new float[] {0f, 0.5f}, WavReader.readMono(p).samples());
        byte[] floats = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putFloat(0.25f).putFloat(-0.75f).array();
        Path pf = file("extf.wav", new Riff().chunk("fmt ", fmtExtensible(3, 1, 16000, 32, 32)).chunk("data", floats).bytes());
        assertArrayEquals(new float[] {0.25f, -0.75f}, WavReader.readMono(pf).samples());
    }

    @Test
    void chunksInAnyOrderWithOddPaddingAndUnknownChunks() throws IOException {
        Path p = file("order.wav", new Riff()
                .chunk("LIST", "INFOISFT\u0005\u0000\u0000\u0000odd!!".getBytes(StandardCharsets.ISO_8859_1)) // odd: padded
                .chunk("data", shorts(100, -200, 300))
                .chunk("junk", new byte[7])
                .chunk("fmt ", fmt(1, 1, 11025, 16))
                .chunk("cue ", new byte[3])
                .bytes());
        Audio audio = WavReader.readMono(p);
        assertEquals(11025, audio.sampleRate());
        assertArrayEquals(new float[] {100f / 32768, -200f / 32768, 300f / 32768}, audio.samples());
    }

    @Test
    void oddSizedDataChunkAndStreamingSizesAreAccepted() throws IOException {
        // 8-bit mono with 3 samples: an odd data chunk followed by its pad byte and another chunk.
        Path odd = file("odd.wav", new Riff().chunk("fmt ", fmt(1, 1, 8000, 8)).chunk("data", new byte[] {(byte) 0x80, (byte) 0x90, (byte) 0x70})
                .chunk("smpl", new byte[4]).bytes());
        assertEquals(3, WavReader.readMono(odd).samples().length);
        // A streaming writer's placeholders: RIFF size 0 and data size 0xFFFFFFFF (meaning "to the end").
        Path streamed = file("stream.wav", new Riff().chunk("fmt ", fmt(1, 1, 8000, 16)).chunk("data", shorts(1, 2, 3, 4), 0xFFFFFFFFL)
                .riffSize(0).bytes());
        assertEquals(4, WavReader.readMono(streamed).samples().length);
        // A trailing partial frame is dropped, not an error.
        Path partial = file("partial.wav", new Riff().chunk("fmt ", fmt(1, 2, 8000, 16)).chunk("data", shorts(1, 2, 3)).bytes());
        assertEquals(1, WavReader.readMono(partial).samples().length);
    }

    private void assertBad(String name, byte[] bytes, String... fragments) throws IOException {
        Path p = file(name, bytes);
        AudioFormatException e = assertThrows(AudioFormatException.class, () -> WavReader.readMono(p));
        assertEquals(p, e.file());
        assertTrue(e.getMessage().startsWith(p.toString() + ": "), e.getMessage());
        for (String f : fragments) assertTrue(e.getMessage().contains(f), "expected '" + f + "' in: " + e.getMessage());
        assertThrows(AudioFormatException.class, () -> WavReader.info(p));
    }

    @Test
    void emptyShortAndForeignFilesAreRejectedByName() throws IOException {
        assertBad("empty.wav", new byte[0], "empty file");
        assertBad("short.wav", "RIFF".getBytes(StandardCharsets.US_ASCII), "too short");
        assertBad("song.mp3", "ID3\u0004\u0000\u0000\u0000\u0000\u0000\u0000\u0000\u0000".getBytes(StandardCharsets.ISO_8859_1),
                "not a WAV file", "0x49443304");
        assertBad("be.wav", new Riff().chunk("fmt ", fmt(1, 1, 8000, 16)).chunk("data", shorts(1)).bytes("RIFX"), "RIFX");
        byte[] avi = new Riff().chunk("fmt ", fmt(1, 1, 8000, 16)).bytes();
        avi[8] = 'A'; avi[9] = 'V'; avi[10] = 'I'; avi[11] = ' ';
        assertBad("movie.wav", avi, "not WAVE", "AVI");
        byte[] binary = new byte[64];
        Arrays.fill(binary, (byte) 0xE7);
        assertBad("noise.wav", binary, "not a WAV file", "0xE7E7E7E7");
    }

    @Test
    void missingAndTruncatedChunksAreRejected() throws IOException {
        assertBad("nofmt.wav", new Riff().chunk("data", shorts(1, 2)).bytes(), "no fmt chunk");
        assertBad("nodata.wav", new Riff().chunk("fmt ", fmt(1, 1, 8000, 16)).bytes(), "no data chunk");
        assertBad("headeronly.wav", new Riff().bytes(), "no fmt chunk");
        byte[] full = new Riff().chunk("fmt ", fmt(1, 1, 8000, 16)).chunk("data", shorts(new int[500])).bytes();
        assertBad("truncated.wav", Arrays.copyOf(full, full.length - 301), "truncated", "data chunk declares 1000 bytes");
        assertBad("cutinfmt.wav", Arrays.copyOf(full, 30), "truncated", "fmt chunk");
        assertBad("shortfmt.wav", new Riff().chunk("fmt ", new byte[12]).chunk("data", shorts(1)).bytes(), "fmt chunk too short");
        assertBad("emptydata.wav", new Riff().chunk("fmt ", fmt(1, 1, 8000, 16)).chunk("data", new byte[0]).bytes(), "no audio samples");
        assertBad("twodata.wav", new Riff().chunk("fmt ", fmt(1, 1, 8000, 16)).chunk("data", shorts(1)).chunk("data", shorts(1)).bytes(),
                "more than one data chunk");
    }

    @Test
    void lyingHeadersFailFastWithoutHugeAllocations() throws IOException {
        // Declares 2 GB of samples in a 60-byte file: must be reported, not allocated.
        assertBad("liar.wav", new Riff().chunk("fmt ", fmt(1, 1, 8000, 16)).chunk("data", shorts(1, 2), 0x7FFFFFF0L).bytes(),
                "truncated", "declares 2147483632 bytes");
        assertBad("liarjunk.wav", new Riff().chunk("junk", new byte[4], 0xFFFFFFF0L).chunk("fmt ", fmt(1, 1, 8000, 16)).bytes(),
                "truncated", "\"junk\"");
        // An unknown chunk running past the end after both needed chunks is tolerated (common trailing junk).
        Path trailing = file("trailing.wav", new Riff().chunk("fmt ", fmt(1, 1, 8000, 16)).chunk("data", shorts(7))
                .chunk("id3 ", new byte[2], 1000).bytes());
        assertEquals(1, WavReader.readMono(trailing).samples().length);
    }

    @Test
    void unsupportedOrInconsistentFormatsAreRejected() throws IOException {
        byte[] data = shorts(1, 2, 3, 4);
        assertBad("zero.wav", new Riff().chunk("fmt ", fmt(1, 0, 8000, 16)).chunk("data", data).bytes(), "0 channels");
        assertBad("norate.wav", new Riff().chunk("fmt ", fmt(1, 1, 0, 16)).chunk("data", data).bytes(), "sample rate of 0");
        assertBad("mp3.wav", new Riff().chunk("fmt ", fmt(0x55, 1, 8000, 16)).chunk("data", data).bytes(),
                "unsupported WAV encoding", "0x0055", "MPEG");
        assertBad("ulaw.wav", new Riff().chunk("fmt ", fmt(7, 1, 8000, 8)).chunk("data", data).bytes(), "mu-law");
        assertBad("pcm12.wav", new Riff().chunk("fmt ", fmt(1, 1, 8000, 12)).chunk("data", data).bytes(), "PCM sample size 12");
        assertBad("float16.wav", new Riff().chunk("fmt ", fmt(3, 1, 8000, 16)).chunk("data", data).bytes(), "float sample size 16");
        byte[] badAlign = fmt(1, 2, 8000, 16);
        badAlign[12] = 3;
        assertBad("align.wav", new Riff().chunk("fmt ", badAlign).chunk("data", data).bytes(), "block align 3");
        byte[] ext = fmtExtensible(1, 1, 8000, 16, 16);
        ext[30] = 0x11;
        assertBad("guid.wav", new Riff().chunk("fmt ", ext).chunk("data", data).bytes(), "sub-format");
        assertBad("shortext.wav", new Riff().chunk("fmt ", Arrays.copyOf(fmtExtensible(1, 1, 8000, 16, 16), 18)).chunk("data", data).bytes(),
                "EXTENSIBLE fmt chunk too short");
    }

    @Test
    void missingFileNamesThePath() {
        Path missing = dir.resolve("nope.wav");
        NoSuchFileException e = assertThrows(NoSuchFileException.class, () -> WavReader.readMono(missing));
        assertTrue(e.getMessage().contains("nope.wav"), e.getMessage());
    }

    @Test
    void writerClipsAndRoundsAndPadsOddData() throws IOException {
        Path p = dir.resolve("clip.wav");
        WavWriter.write(p, new float[] {2f, -2f, 0.5f, Float.NaN, 0.3f}, 1, 8000, WavEncoding.PCM_U8);
        assertEquals(44 + 5 + 1, Files.size(p), "odd data chunk gets a pad byte");
        assertArrayEquals(new float[] {127f / 128, -1f, 0.5f, 0f, 38f / 128}, WavReader.readMono(p).samples());
        assertThrows(IllegalArgumentException.class, () -> WavWriter.write(p, new float[3], 2, 8000, WavEncoding.PCM_S16));
    }
}
