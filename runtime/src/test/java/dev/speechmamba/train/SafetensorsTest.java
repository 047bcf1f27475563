package dev.speechmamba.train;

import dev.speechmamba.tensor.DType;
import dev.speechmamba.tensor.HostStorage;
import dev.speechmamba.tensor.Shape;
import dev.speechmamba.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.WritableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SafetensorsTest {

    @TempDir
    Path dir;

    private static Map<String, Tensor> sample() {
        Map<String, Tensor> t = new LinkedHashMap<>();
        t.put("encoder.weight", Tensor.ofFloats(new float[] {1.5f, -2.25f, 3e-8f, Float.MAX_VALUE, -0.0f, 7f}, 2, 3));
        t.put("lengths", Tensor.ofInts(new int[] {3, -1, Integer.MAX_VALUE}, 3));
        t.put("scalar", Tensor.ofFloats(new float[] {42f}));
        t.put("empty", Tensor.ofFloats(new float[0], 0, 4));
        return t;
    }

    @Test
    void roundTripKeepsValuesShapesDtypesAndMetadata() throws IOException {
        Path file = dir.resolve("model.safetensors");
        Map<String, String> meta = Map.of("config", "{\"d_model\": 256}", "step", "1200", "tokenizer", "▁a ▁b ünï");
        Safetensors.write(file, sample(), meta);

        Safetensors.Contents back = Safetensors.read(file);
        assertEquals(meta, back.metadata());
        assertEquals(List.of("empty", "encoder.weight", "lengths", "scalar"), List.copyOf(back.tensors().keySet()));
        for (Map.Entry<String, Tensor> e : sample().entrySet()) {
            Tensor got = back.tensors().get(e.getKey());
            assertEquals(e.getValue().shape(), got.shape(), e.getKey());
            assertEquals(e.getValue().dtype(), got.dtype(), e.getKey());
            if (got.dtype() == DType.I32) assertArrayEquals(e.getValue().hostInts(), got.hostInts());
            else assertArrayEquals(e.getValue().hostFloats(), got.hostFloats());
        }
        assertEquals(0, (8 + headerLength(file)) % 8, "data section must start 8-byte aligned");
    }

    @Test
    void writesOnlyTheElementsOfAView() throws IOException {
        float[] backing = {9, 9, 1, 2, 3, 4, 9};
        Tensor view = new Tensor(Shape.of(2, 2), DType.F32, HostStorage.ofFloats(backing), 2);
        Path file = dir.resolve("view.safetensors");
        Safetensors.write(file, Map.of("v", view), Map.of());
        assertArrayEquals(new float[] {1, 2, 3, 4}, Safetensors.read(file).tensors().get("v").hostFloats());
        assertEquals(8 + headerLength(file) + 16, Files.size(file));
    }

    @Test
    void bf16StorageRoundsToNearestEvenAndWidensOnRead() throws IOException {
        float exact = 1.5f;                                   // representable in bf16
        float halfwayDown = Float.intBitsToFloat(0x3F808000); // 1.00390625: tie, rounds to even 1.0
        float halfwayUp = Float.intBitsToFloat(0x3F818000);   // tie, rounds up to even 0x3F82
        float aboveHalf = Float.intBitsToFloat(0x3F808001);   // just above the tie: rounds up
        Tensor t = Tensor.ofFloats(new float[] {exact, halfwayDown, halfwayUp, aboveHalf, Float.NaN, -3f}, 6);
        Path file = dir.resolve("bf16.safetensors");
        Safetensors.write(file, Map.of("w", t), Map.of(), Set.of("w"));
        float[] back = Safetensors.read(file).tensors().get("w").hostFloats();
        assertEquals(exact, back[0]);
        assertEquals(1.0f, back[1]);
        assertEquals(Float.intBitsToFloat(0x3F820000), back[2]);
        assertEquals(Float.intBitsToFloat(0x3F810000), back[3]);
        assertTrue(Float.isNaN(back[4]));
        assertEquals(-3f, back[5]);
        assertEquals(8 + headerLength(file) + 12, Files.size(file), "BF16 takes 2 bytes per element");
        assertTrue(header(file).contains("\"dtype\":\"BF16\""));
    }

    @Test
    void rejectsBf16RequestsForIntOrMissingTensors() {
        Path file = dir.resolve("x.safetensors");
        SafetensorsException e = assertThrows(SafetensorsException.class,
                () -> Safetensors.write(file, sample(), Map.of(), Set.of("lengths")));
        assertTrue(e.getMessage().contains("lengths") && e.getMessage().contains("I32"), e.getMessage());
        assertThrows(SafetensorsException.class, () -> Safetensors.write(file, sample(), Map.of(), Set.of("nope")));
        assertThrows(SafetensorsException.class,
                () -> Safetensors.write(file, Map.of(Safetensors.METADATA_KEY, Tensor.ofFloats(new float[1], 1)), Map.of()));
    }

    // ------------------------------------------------------------------ corrupted files

    @Test
    void truncatedFilesFailWithTheFileNameAndReason() throws IOException {
        Path good = dir.resolve("good.safetensors");
        Safetensors.write(good, sample(), Map.of("step", "1"));
        byte[] bytes = Files.readAllBytes(good);
        int header = (int) headerLength(good);
        // Cut inside the length field, inside the header, inside the data.
        for (int keep : new int[] {0, 5, 8 + header / 2, 8 + header + 3, bytes.length - 1}) {
            Path cut = dir.resolve("cut" + keep + ".safetensors");
            Files.write(cut, Arrays.copyOf(bytes, keep));
            SafetensorsException e = assertThrows(SafetensorsException.class, () -> Safetensors.read(cut));
            assertTrue(e.getMessage().startsWith(cut.toString()), e.getMessage());
            assertTrue(e.getMessage().contains("truncated") || e.getMessage().contains("run past"), e.getMessage());
        }
    }

    @Test
    void badHeadersGiveClearErrors() throws IOException {
        assertProblem(withHeader("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}", 8), null);
        assertProblem(withHeader("not json at all", 0), "does not start with '{'");
        assertProblem(withHeader("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],", 0), "not well-formed JSON");
        assertProblem(withHeader("{} {}", 0), "not well-formed JSON");
        assertProblem(withHeader("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},"
                + "\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}", 8), "not well-formed JSON");
        assertProblem(withHeader("{\"a\":{\"dtype\":\"F64\",\"shape\":[1],\"data_offsets\":[0,8]}}", 8), "F64");
        assertProblem(withHeader("{\"a\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,8]}}", 8), "span 8 bytes");
        assertProblem(withHeader("{\"a\":{\"dtype\":\"F32\",\"shape\":[-2],\"data_offsets\":[0,8]}}", 8), "invalid dimension");
        assertProblem(withHeader("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[8,0]}}", 8), "not a valid range");
        assertProblem(withHeader("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0]}}", 8), "not a pair");
        assertProblem(withHeader("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8],\"x\":1}}", 8), "unknown field");
        assertProblem(withHeader("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                + "\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}", 12), "overlap");
        assertProblem(withHeader("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}", 8), "gap of 4");
        assertProblem(withHeader("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}", 8), "after the last tensor");
        assertProblem(withHeader("{\"a\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,16]}}", 8), "run past the end");
        assertProblem(withHeader("{\"__metadata__\":{\"step\":3}}", 0), "not a string");
        assertProblem(withHeader("[1, 2]", 0), "does not start with '{'");
    }

    @Test
    void missingFileAndDirectoryAreNamed() throws IOException {
        assertProblem(dir.resolve("absent.safetensors"), "no such file");
        assertProblem(dir, "not a regular file");
    }

    @Test
    void writtenFilesGetTheUsualPermissionsNotTempFilePermissions() throws IOException {
        org.junit.jupiter.api.Assumptions.assumeTrue(dir.getFileSystem().supportedFileAttributeViews().contains("posix"));
        Path reference = Files.createFile(dir.resolve("plain.bin"));
        Path file = dir.resolve("perm.safetensors");
        Safetensors.write(file, sample(), Map.of());
        assertEquals(Files.getPosixFilePermissions(reference), Files.getPosixFilePermissions(file));
    }

    @Test
    void absurdHeaderLengthAndInvalidUtf8AreRejected() throws IOException {
        Path huge = dir.resolve("huge.safetensors");
        ByteBuffer b = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(-5L).putLong(0);
        Files.write(huge, b.array());
        assertProblem(huge, "outside [2, ");
        Path tooLong = dir.resolve("toolong.safetensors");
        b = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(4000).putLong(0);
        Files.write(tooLong, b.array());
        assertProblem(tooLong, "exceeds");
        Path latin = dir.resolve("latin.safetensors");
        byte[] json = "{\"__metadata__\":{\"k\":\"\u00e9\"}}".getBytes(StandardCharsets.ISO_8859_1);
        Files.write(latin, concat(le(json.length), json));
        assertProblem(latin, "UTF-8");
    }

    // ------------------------------------------------------------------ atomic writes

    @Test
    void aFailedWriteLeavesTheOldFileIntactAndNoTempFiles() throws IOException {
        Path file = dir.resolve("ckpt.safetensors");
        Safetensors.write(file, sample(), Map.of("step", "1"));
        byte[] before = Files.readAllBytes(file);

        Map<String, Tensor> bigger = new LinkedHashMap<>(sample());
        bigger.put("more", Tensor.ofFloats(new float[100_000], 100_000));
        IOException e = assertThrows(IOException.class, () -> Safetensors.write(file, bigger, Map.of("step", "2"),
                Set.of(), channel -> new FailAfter(channel, 50_000)));
        assertEquals("disk full (simulated)", e.getMessage());

        assertArrayEquals(before, Files.readAllBytes(file));
        assertEquals("1", Safetensors.read(file).metadata().get("step"));
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(List.of(file), files.toList(), "the temp file must be removed");
        }
    }

    /** A channel that accepts {@code budget} bytes and then fails, like a full disk mid-write. */
    private static final class FailAfter implements WritableByteChannel {
        private final WritableByteChannel inner;
        private long budget;

        FailAfter(WritableByteChannel inner, long budget) {
            this.inner = inner;
            this.budget = budget;
        }

        @Override public int write(ByteBuffer src) throws IOException {
            if (budget <= 0) throw new IOException("disk full (simulated)");
            int allowed = (int) Math.min(src.remaining(), budget);
            ByteBuffer slice = src.slice().limit(allowed);
            int n = inner.write(slice);
            src.position(src.position() + n);
            budget -= n;
            return n;
        }

        @Override public boolean isOpen() { return inner.isOpen(); }

        @Override public void close() throws IOException { inner.close(); }
    }

    // ------------------------------------------------------------------ helpers

    private Path withHeader(String json, int dataBytes) throws IOException {
        byte[] header = json.getBytes(StandardCharsets.UTF_8);
        Path file = Files.createTempFile(dir, "hdr", ".safetensors");
        Files.write(file, concat(concat(le(header.length), header), new byte[dataBytes]));
        return file;
    }

    private static void assertProblem(Path file, String expected) throws IOException {
        if (expected == null) {
            Safetensors.read(file); // the control case must parse
            return;
        }
        SafetensorsException e = assertThrows(SafetensorsException.class, () -> Safetensors.read(file));
        assertTrue(e.getMessage().startsWith(file.toString() + ": "), e.getMessage());
        assertTrue(e.getMessage().contains(expected), "expected '" + expected + "' in: " + e.getMessage());
        assertTrue(!e.getMessage().contains("REDACTED"), "parser noise in: " + e.getMessage());
    }

    private static byte[] le(long value) {
        return ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(value).array();
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    static long headerLength(Path file) throws IOException {
        byte[] first = Arrays.copyOf(Files.readAllBytes(file), 8);
        return ByteBuffer.wrap(first).order(ByteOrder.LITTLE_ENDIAN).getLong();
    }

    private static String header(Path file) throws IOException {
        byte[] all = Files.readAllBytes(file);
        return new String(all, 8, (int) headerLength(file), StandardCharsets.UTF_8);
    }
}
