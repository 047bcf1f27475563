package dev.speechmamba.audio;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * FLAC fixtures made by the reference encoder (runtime/src/test/python/make_flac_fixtures.py) must decode to
 * exactly the samples of their WAV twins. Between them they use every channel assignment (independent,
 * left/side, right/side, mid/side), constant, verbatim, fixed and LPC (up to order 32) subframes, both Rice
 * methods, wasted bits, 8/16/24/32-bit samples, three channels and odd block sizes.
 */
@Timeout(20)
class FlacReaderTest {

    @TempDir
    Path dir;

    static Path fixture(String name) {
        try {
            return Path.of(FlacReaderTest.class.getResource("/audio/flac/" + name).toURI());
        } catch (URISyntaxException | NullPointerException e) {
            throw new IllegalStateException("test resource audio/flac/" + name + " is missing", e);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"mono16_16k", "stereo16_44k_best", "stereo16_44k_fast", "stereo24_48k", "u8_8k",
            "silence_then_noise", "three_channels", "wasted_bits", "s32_16k"})
    void decodesExactlyLikeTheWavTwin(String name) throws IOException {
        Audio wav = WavReader.readMono(fixture(name + ".wav"));
        Audio flac = FlacReader.readMono(fixture(name + ".flac"));
        assertEquals(wav.sampleRate(), flac.sampleRate());
        assertEquals(wav.samples().length, flac.samples().length);
        for (int i = 0; i < wav.samples().length; i++) {
            // Same integers, averaged in a different order: equal to float rounding.
            assertEquals(wav.samples()[i], flac.samples()[i], 1e-7, name + " sample " + i);
        }
        Audio dispatched = AudioFiles.readMono(fixture(name + ".flac"));
        assertArrayEquals(flac.samples(), dispatched.samples());
    }

    @Test
    void id3TaggedFlacIsRead() throws IOException {
        byte[] flac = Files.readAllBytes(fixture("u8_8k.flac"));
        byte[] tag = new byte[10 + 20];
        tag[0] = 'I'; tag[1] = 'D'; tag[2] = '3'; tag[3] = 4; tag[9] = 20; // syncsafe size 20
        Path tagged = dir.resolve("tagged.flac");
        Files.write(tagged, concat(tag, flac));
        assertArrayEquals(FlacReader.readMono(fixture("u8_8k.flac")).samples(), AudioFiles.readMono(tagged).samples());
        Path mp3 = dir.resolve("song.mp3");
        Files.write(mp3, concat(tag, new byte[] {(byte) 0xFF, (byte) 0xFB, (byte) 0x90, 0x64, 0, 0, 0, 0}));
        assertBad(mp3, "ID3-tagged file that is not FLAC");
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    private static void assertBad(Path p, String... fragments) {
        AudioFormatException e = assertThrows(AudioFormatException.class, () -> AudioFiles.readMono(p));
        assertEquals(p, e.file());
        assertTrue(e.getMessage().startsWith(p + ": "), e.getMessage());
        for (String f : fragments) assertTrue(e.getMessage().contains(f), "expected '" + f + "' in: " + e.getMessage());
    }

    private Path mutated(String name, byte[] bytes) throws IOException {
        return Files.write(dir.resolve(name), bytes);
    }

    /** Byte offset of the first audio frame: after "fLaC" and the metadata blocks (4-byte header + body each). */
    private static int firstFrame(byte[] flac) {
        int at = 4;
        boolean last = false;
        while (!last) {
            last = (flac[at] & 0x80) != 0;
            at += 4 + ((flac[at + 1] & 0xFF) << 16 | (flac[at + 2] & 0xFF) << 8 | (flac[at + 3] & 0xFF));
        }
        return at;
    }

    @Test
    void truncatedAndCorruptStreamsAreReported() throws IOException {
        byte[] good = Files.readAllBytes(fixture("stereo16_44k_fast.flac"));
        int frame0 = firstFrame(good);
        assertTrue(frame0 >= 42 && (good[frame0] & 0xFF) == 0xFF, "fixture layout");
        assertBad(mutated("cut.flac", Arrays.copyOf(good, good.length - 700)), "truncated");
        assertBad(mutated("headeronly.flac", Arrays.copyOf(good, frame0)), "no audio samples");
        assertBad(mutated("metacut.flac", Arrays.copyOf(good, frame0 - 1)), "truncated");
        Path three = mutated("marker.flac", Arrays.copyOf(good, 3));
        assertBad(three, "unsupported audio format");
        assertTrue(assertThrows(AudioFormatException.class, () -> FlacReader.readMono(three)).getMessage().contains("not a FLAC file"));
        byte[] flipped = good.clone();
        flipped[good.length / 2] ^= 0x10; // inside some frame's audio data
        assertBad(mutated("flipped.flac", flipped), "corrupt");
        byte[] badMd5 = good.clone();
        badMd5[8 + 18 + 3] ^= 1; // one byte of STREAMINFO's MD5 (block header 4 + marker 4, MD5 at 18)
        assertBad(mutated("md5.flac", badMd5), "MD5");
        byte[] noSync = good.clone();
        noSync[frame0] = 0x12;
        assertBad(mutated("nosync.flac", noSync), "frame 0 does not start with a frame sync code");
        byte[] badHeader = good.clone();
        badHeader[frame0 + 3] ^= 0x01; // channel assignment / sample size byte: CRC-8 catches it
        assertBad(mutated("header.flac", badHeader), "corrupt FLAC frame 0");
        byte[] notStreamInfo = good.clone();
        notStreamInfo[4] = 0x04; // first block claims to be VORBIS_COMMENT
        assertBad(mutated("order.flac", notStreamInfo), "first metadata block is not STREAMINFO");
        assertBad(mutated("empty.flac", new byte[0]), "empty file");
        assertBad(mutated("ogg.oga", "OggS\0\2\0\0\0\0".getBytes(java.nio.charset.StandardCharsets.ISO_8859_1)),
                "unsupported audio format", "0x4F676753");
    }

    @Test
    void lyingLengthsAreBounded() throws IOException {
        byte[] good = Files.readAllBytes(fixture("u8_8k.flac"));
        byte[] huge = good.clone();
        huge[5] = 0x7F; // metadata block length 0x7F0022: far past the end of the file
        assertBad(mutated("liar.flac", huge), "truncated", "declares");
        byte[] shortTotal = good.clone();
        shortTotal[8 + 17] = 100; // STREAMINFO total samples low byte: fewer samples than the frames hold
        shortTotal[8 + 16] = 0;
        assertBad(mutated("short.flac", shortTotal), "corrupt");
    }
    /** MSB-first bit writer for hand-built streams. */
    private static final class BitWriter {
        private final java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        private int current;
        private int filled;

        BitWriter bits(long value, int n) {
            for (int i = n - 1; i >= 0; i--) {
                current = current << 1 | (int) ((value >>> i) & 1);
                if (++filled == 8) { out.write(current); current = 0; filled = 0; }
            }
            return this;
        }

        BitWriter bytes(byte[] b) { for (byte v : b) bits(v & 0xFF, 8); return this; }

        int size() { return out.size(); }

        byte[] toBytes() { return out.toByteArray(); } // callers align first
    }

    /** CRC-8 (x^8 + x^2 + x + 1) and CRC-16 (x^16 + x^15 + x^2 + 1), bit by bit, as RFC 9639 defines them. */
    private static int crc(byte[] data, int width, int polynomial) {
        int top = 1 << (width - 1), mask = (1 << width) - 1, crc = 0;
        for (byte b : data) {
            crc ^= (b & 0xFF) << (width - 8);
            for (int i = 0; i < 8; i++) crc = ((crc & top) != 0 ? (crc << 1) ^ polynomial : crc << 1) & mask;
        }
        return crc;
    }

    @Test
    void escapedRicePartitionsAndTheStreamInfoLengthCap() throws IOException {
        long[] expected = {-64, 63, 0, -1, 5, -7, 33, -40, 3, -2, 0, 1, 7, -8, 2, -3};
        BitWriter head = new BitWriter().bytes("fLaC".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        head.bits(1, 1).bits(0, 7).bits(34, 24);                   // last block, STREAMINFO, 34 bytes
        head.bits(16, 16).bits(16, 16).bits(0, 24).bits(0, 24);     // block sizes, frame sizes unknown
        head.bits(16000, 20).bits(0, 3).bits(15, 5).bits(16, 36);   // 16 kHz, mono, 16-bit, 16 samples
        head.bits(0, 64).bits(0, 64);                               // no MD5
        BitWriter frame = new BitWriter().bits(0xFFF8, 16).bits(6, 4).bits(0, 4).bits(0, 4).bits(4, 3).bits(0, 1)
                .bits(0, 8).bits(15, 8);                            // frame 0; block size 16 from the 8-bit field
        frame.bits(crc(frame.toBytes(), 8, 0x07), 8);
        frame.bits(0, 1).bits(8, 6).bits(0, 1);                     // FIXED order 0, no wasted bits
        frame.bits(0, 2).bits(1, 4);                                // Rice (4-bit parameters), 2 partitions of 8
        frame.bits(15, 4).bits(7, 5);                               // partition 0 escaped: 7-bit raw samples
        for (int i = 0; i < 8; i++) frame.bits(expected[i] & 0x7F, 7);
        frame.bits(2, 4);                                           // partition 1: Rice parameter 2
        for (int i = 8; i < 16; i++) {
            long folded = expected[i] >= 0 ? 2 * expected[i] : -2 * expected[i] - 1;
            frame.bits(0, (int) (folded >> 2)).bits(1, 1).bits(folded & 3, 2);
        }
        while (frame.filled != 0) frame.bits(0, 1);
        frame.bits(crc(frame.toBytes(), 16, 0x8005), 16);
        byte[] stream = concat(head.toBytes(), frame.toBytes());
        Audio audio = FlacReader.readMono(Files.write(dir.resolve("hand.flac"), stream));
        assertEquals(16000, audio.sampleRate());
        float[] want = new float[16];
        for (int i = 0; i < 16; i++) want[i] = expected[i] / 32768f;
        assertArrayEquals(want, audio.samples());
        // Bytes after the promised samples (a trailing tag, here a stray copy of the frame) are ignored.
        assertEquals(16, FlacReader.readMono(Files.write(dir.resolve("twice.flac"), concat(stream, frame.toBytes()))).samples().length);
        // A frame holding more samples than STREAMINFO promises is refused before it is decoded.
        byte[] promisesTen = stream.clone();
        promisesTen[8 + 17] = 10; // lowest byte of STREAMINFO's 36-bit total sample count
        assertBad(Files.write(dir.resolve("ten.flac"), promisesTen), "runs past the 10 samples");
    }
}
