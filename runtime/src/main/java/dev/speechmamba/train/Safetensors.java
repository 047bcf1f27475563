package dev.speechmamba.train;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.speechmamba.tensor.DType;
import dev.speechmamba.tensor.HostStorage;
import dev.speechmamba.tensor.Shape;
import dev.speechmamba.tensor.Tensor;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.UnaryOperator;

/**
 * Reads and writes the <a href="https://github.com/huggingface/safetensors">safetensors</a> format:
 * an 8-byte little-endian header length N, N bytes of UTF-8 JSON (padded with spaces so the data
 * starts 8-byte aligned) mapping each tensor name to {@code dtype}, {@code shape} and
 * {@code data_offsets} (relative to the data section) plus an optional {@code __metadata__}
 * string-to-string map, then the tensors' bytes, little-endian, packed without gaps.
 *
 * <p>Tensors are host tensors: F32 and I32 are read into float[] and int[]; BF16 on disk is widened
 * to F32 on read (exact), and F32 tensors can be narrowed to BF16 on write (round to nearest even).
 *
 * <p>Writes are atomic: a temp file in the same folder is written, forced to disk and moved over
 * the target, and the folder is forced too, so a crash leaves either the old file or the new one.
 * Reads validate everything before returning, so a truncated or corrupted file raises a
 * {@link SafetensorsException} naming the file and the problem instead of giving garbage.
 */
public final class Safetensors {
    private Safetensors() { }

    /** The reserved header key holding the string-to-string metadata map. */
    public static final String METADATA_KEY = "__metadata__";

    /** Same bound as the reference implementation: larger headers are treated as corruption. */
    public static final long MAX_HEADER_BYTES = 100_000_000L;

    private static final int CHUNK_BYTES = 1 << 20;

    private static final ObjectMapper JSON = JsonMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    /** What a file holds: tensors in name order and the metadata map (both unmodifiable). */
    public record Contents(Map<String, Tensor> tensors, Map<String, String> metadata) { }

    /** The on-disk element types this class understands. */
    private enum FileType {
        F32(4), I32(4), BF16(2);
        final int bytes;
        FileType(int bytes) { this.bytes = bytes; }
    }

    private record Entry(String name, FileType type, int[] dims, long begin, long end) { }

    // ------------------------------------------------------------------ writing

    /** Writes {@code tensors} (host F32 or I32) and {@code metadata} atomically to {@code file}. */
    public static void write(Path file, Map<String, Tensor> tensors, Map<String, String> metadata) throws IOException {
        write(file, tensors, metadata, Set.of());
    }

    /**
     * As {@link #write(Path, Map, Map)}, storing the F32 tensors named in {@code storeAsBf16} as BF16
     * (half the bytes; reading widens them back to F32).
     */
    public static void write(Path file, Map<String, Tensor> tensors, Map<String, String> metadata,
                             Set<String> storeAsBf16) throws IOException {
        write(file, tensors, metadata, storeAsBf16, UnaryOperator.identity());
    }

    /** The channel wrapper lets tests inject a failing writer to check that a failed write changes nothing. */
    static void write(Path file, Map<String, Tensor> tensors, Map<String, String> metadata, Set<String> storeAsBf16,
                      UnaryOperator<WritableByteChannel> channelWrapper) throws IOException {
        List<Entry> entries = layout(file, tensors, metadata, storeAsBf16);
        byte[] header = headerBytes(entries, metadata);

        Path target = file.toAbsolutePath();
        Path dir = target.getParent();
        Files.createDirectories(dir);
        // Not Files.createTempFile: its owner-only permissions would end up on the checkpoint after the move.
        Path temp = dir.resolve("." + target.getFileName() + "." + ProcessHandle.current().pid() + "."
                + Long.toUnsignedString(java.util.concurrent.ThreadLocalRandom.current().nextLong(), 36) + ".tmp");
        boolean moved = false;
        try {
            try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.WRITE,
                    StandardOpenOption.CREATE_NEW)) {
                WritableByteChannel out = channelWrapper.apply(channel);
                ByteBuffer buffer = ByteBuffer.allocate(CHUNK_BYTES).order(ByteOrder.LITTLE_ENDIAN);
                buffer.putLong(header.length);
                drain(out, buffer);
                writeFully(out, ByteBuffer.wrap(header));
                for (Entry e : entries) writeData(out, buffer, tensors.get(e.name()), e.type());
                channel.force(true);
            }
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            moved = true;
            try (FileChannel dirChannel = FileChannel.open(dir, StandardOpenOption.READ)) {
                dirChannel.force(true); // makes the rename itself durable
            }
        } finally {
            if (!moved) Files.deleteIfExists(temp);
        }
    }

    private static List<Entry> layout(Path file, Map<String, Tensor> tensors, Map<String, String> metadata,
                                      Set<String> storeAsBf16) throws SafetensorsException {
        if (tensors == null) throw new SafetensorsException(file, "tensor map is null");
        for (Map.Entry<String, String> m : (metadata == null ? Map.<String, String>of() : metadata).entrySet()) {
            if (m.getKey() == null || m.getValue() == null) {
                throw new SafetensorsException(file, "metadata entry " + m.getKey() + " = " + m.getValue()
                        + " has a null key or value");
            }
        }
        for (String name : storeAsBf16) {
            Tensor t = tensors.get(name);
            if (t == null) throw new SafetensorsException(file, "BF16 requested for '" + name + "', which is not written");
            if (t.dtype() != DType.F32) {
                throw new SafetensorsException(file, "BF16 requested for '" + name + "', which is " + t.dtype());
            }
        }
        List<Entry> entries = new ArrayList<>();
        long offset = 0;
        for (String name : new TreeMap<>(tensors).keySet()) {
            Tensor t = tensors.get(name);
            if (name.isEmpty() || name.equals(METADATA_KEY)) {
                throw new SafetensorsException(file, "tensor name '" + name + "' is not allowed");
            }
            if (t == null) throw new SafetensorsException(file, "tensor '" + name + "' is null");
            if (!(t.storage() instanceof HostStorage)) {
                throw new SafetensorsException(file, "tensor '" + name + "' " + t.shape()
                        + " is not on the host; copy it with Backend.toHost first (Checkpoint.fromBackend does)");
            }
            FileType type = switch (t.dtype()) {
                case F32 -> storeAsBf16.contains(name) ? FileType.BF16 : FileType.F32;
                case I32 -> FileType.I32;
                case BF16 -> throw new SafetensorsException(file, "tensor '" + name + "' is a BF16 host tensor, "
                        + "which cannot exist");
            };
            long bytes = t.size() * type.bytes;
            entries.add(new Entry(name, type, t.shape().dims(), offset, offset + bytes));
            offset += bytes;
        }
        return entries;
    }

    private static byte[] headerBytes(List<Entry> entries, Map<String, String> metadata) {
        ObjectNode root = JSON.createObjectNode();
        if (metadata != null && !metadata.isEmpty()) {
            ObjectNode meta = root.putObject(METADATA_KEY);
            new TreeMap<>(metadata).forEach(meta::put);
        }
        for (Entry e : entries) {
            ObjectNode info = root.putObject(e.name());
            info.put("dtype", e.type().name());
            ArrayNode shape = info.putArray("shape");
            for (int d : e.dims()) shape.add(d);
            info.putArray("data_offsets").add(e.begin()).add(e.end());
        }
        byte[] json;
        try {
            json = JSON.writeValueAsBytes(root);
        } catch (JsonProcessingException ex) {
            throw new IllegalStateException("cannot serialize a safetensors header", ex);
        }
        int padded = (json.length + 7) & ~7; // 8-byte header length + padded header keeps the data aligned
        byte[] header = new byte[padded];
        System.arraycopy(json, 0, header, 0, json.length);
        java.util.Arrays.fill(header, json.length, padded, (byte) ' ');
        return header;
    }

    private static void writeData(WritableByteChannel out, ByteBuffer buffer, Tensor t, FileType type)
            throws IOException {
        HostStorage host = (HostStorage) t.storage();
        int start = Math.toIntExact(t.offset());
        int count = Math.toIntExact(t.size());
        int perChunk = CHUNK_BYTES / type.bytes;
        for (int done = 0; done < count; ) {
            int n = Math.min(perChunk, count - done);
            buffer.clear();
            switch (type) {
                case F32 -> buffer.asFloatBuffer().put(host.floats(), start + done, n);
                case I32 -> buffer.asIntBuffer().put(host.ints(), start + done, n);
                case BF16 -> {
                    float[] f = host.floats();
                    for (int i = 0; i < n; i++) buffer.putShort(2 * i, toBf16(f[start + done + i]));
                }
            }
            buffer.position(n * type.bytes);
            drain(out, buffer);
            done += n;
        }
    }

    private static void drain(WritableByteChannel out, ByteBuffer buffer) throws IOException {
        buffer.flip();
        writeFully(out, buffer);
        buffer.clear();
    }

    private static void writeFully(WritableByteChannel out, ByteBuffer buffer) throws IOException {
        while (buffer.hasRemaining()) out.write(buffer);
    }

    /** float32 → bfloat16 bits, rounding to nearest even; NaN stays a (quiet) NaN. */
    static short toBf16(float value) {
        int bits = Float.floatToRawIntBits(value);
        if (Float.isNaN(value)) return (short) ((bits >>> 16) | 0x0040);
        int rounded = bits + 0x7FFF + ((bits >>> 16) & 1);
        return (short) (rounded >>> 16);
    }

    static float fromBf16(short bits) {
        return Float.intBitsToFloat((bits & 0xFFFF) << 16);
    }

    // ------------------------------------------------------------------ reading

    /** Reads and validates a whole file. */
    public static Contents read(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new SafetensorsException(file, Files.exists(file) ? "not a regular file" : "no such file");
        }
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            long fileSize = channel.size();
            if (fileSize < 8) {
                throw new SafetensorsException(file, "file is " + fileSize
                        + " bytes, too short to hold the 8-byte header length (truncated?)");
            }
            ByteBuffer lengthBytes = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            readFully(file, channel, lengthBytes, 0);
            long headerLength = lengthBytes.flip().getLong();
            if (headerLength < 2 || headerLength > MAX_HEADER_BYTES) {
                throw new SafetensorsException(file, "header length " + Long.toUnsignedString(headerLength)
                        + " is outside [2, " + MAX_HEADER_BYTES + "] (not a safetensors file, or corrupted)");
            }
            if (headerLength > fileSize - 8) {
                throw new SafetensorsException(file, "header length " + headerLength + " exceeds the "
                        + (fileSize - 8) + " bytes after the length field (truncated?)");
            }
            ByteBuffer headerBytes = ByteBuffer.allocate((int) headerLength);
            readFully(file, channel, headerBytes, 8);
            JsonNode root = parseHeader(file, headerBytes.flip());

            long dataStart = 8 + headerLength;
            long dataLength = fileSize - dataStart;
            Map<String, String> metadata = new LinkedHashMap<>();
            List<Entry> entries = new ArrayList<>();
            for (Map.Entry<String, JsonNode> field : root.properties()) {
                if (field.getKey().equals(METADATA_KEY)) {
                    readMetadata(file, field.getValue(), metadata);
                } else {
                    entries.add(parseEntry(file, field.getKey(), field.getValue()));
                }
            }
            checkLayout(file, entries, dataLength);

            Map<String, Tensor> tensors = new LinkedHashMap<>();
            entries.sort(Comparator.comparing(Entry::name));
            for (Entry e : entries) tensors.put(e.name(), readTensor(file, channel, dataStart, e));
            return new Contents(Collections.unmodifiableMap(tensors), Collections.unmodifiableMap(metadata));
        }
    }

    private static JsonNode parseHeader(Path file, ByteBuffer bytes) throws SafetensorsException {
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(bytes).toString();
        } catch (CharacterCodingException e) {
            throw new SafetensorsException(file, "header is not valid UTF-8 (corrupted)", e);
        }
        if (!text.startsWith("{")) {
            throw new SafetensorsException(file, "header does not start with '{' (not a safetensors file, or corrupted)");
        }
        JsonNode root;
        try {
            root = JSON.readTree(text);
        } catch (JsonProcessingException e) {
            String reason = e.getOriginalMessage().replaceAll("Source: REDACTED \\(.*?\\); ", "");
            String where = e.getLocation() == null ? "" : " (at header character " + e.getLocation().getCharOffset() + ")";
            throw new SafetensorsException(file, "header is not well-formed JSON: " + reason + where, e);
        }
        if (root == null || !root.isObject()) throw new SafetensorsException(file, "header is not a JSON object");
        return root;
    }

    private static void readMetadata(Path file, JsonNode node, Map<String, String> into) throws SafetensorsException {
        if (!node.isObject()) throw new SafetensorsException(file, METADATA_KEY + " is not a JSON object");
        for (Map.Entry<String, JsonNode> m : node.properties()) {
            if (!m.getValue().isTextual()) {
                throw new SafetensorsException(file, METADATA_KEY + " value of '" + m.getKey()
                        + "' is not a string: " + m.getValue());
            }
            into.put(m.getKey(), m.getValue().textValue());
        }
    }

    private static Entry parseEntry(Path file, String name, JsonNode node) throws SafetensorsException {
        String where = "tensor '" + name + "'";
        if (!node.isObject()) throw new SafetensorsException(file, where + " is not a JSON object");
        for (Map.Entry<String, JsonNode> field : node.properties()) {
            String key = field.getKey();
            if (!key.equals("dtype") && !key.equals("shape") && !key.equals("data_offsets")) {
                throw new SafetensorsException(file, where + " has an unknown field '" + key + "'");
            }
        }
        JsonNode dtype = node.get("dtype");
        if (dtype == null || !dtype.isTextual()) throw new SafetensorsException(file, where + " has no dtype string");
        FileType type;
        try {
            type = FileType.valueOf(dtype.textValue());
        } catch (IllegalArgumentException e) {
            throw new SafetensorsException(file, where + " has dtype " + dtype.textValue()
                    + ", which is not supported (supported: F32, I32, BF16)");
        }
        JsonNode shape = node.get("shape");
        if (shape == null || !shape.isArray()) throw new SafetensorsException(file, where + " has no shape array");
        int[] dims = new int[shape.size()];
        long elements = 1;
        for (int i = 0; i < dims.length; i++) {
            JsonNode d = shape.get(i);
            if (!d.isIntegralNumber() || !d.canConvertToInt() || d.intValue() < 0) {
                throw new SafetensorsException(file, where + " has an invalid dimension " + d + " in shape " + shape);
            }
            dims[i] = d.intValue();
            elements *= dims[i]; // stays below 2^62: elements <= Integer.MAX_VALUE before each step
            if (elements > Integer.MAX_VALUE) {
                throw new SafetensorsException(file, where + " shape " + shape
                        + " has more elements than a Java array can hold");
            }
        }
        JsonNode offsets = node.get("data_offsets");
        if (offsets == null || !offsets.isArray() || offsets.size() != 2
                || !offsets.get(0).canConvertToLong() || !offsets.get(1).canConvertToLong()
                || !offsets.get(0).isIntegralNumber() || !offsets.get(1).isIntegralNumber()) {
            throw new SafetensorsException(file, where + " data_offsets " + offsets + " is not a pair of integers");
        }
        long begin = offsets.get(0).longValue();
        long end = offsets.get(1).longValue();
        if (begin < 0 || end < begin) {
            throw new SafetensorsException(file, where + " data_offsets [" + begin + ", " + end + "] is not a valid range");
        }
        long expected = elements * type.bytes;
        if (end - begin != expected) {
            throw new SafetensorsException(file, where + " is " + type + " " + Shape.of(dims) + " (" + expected
                    + " bytes) but data_offsets [" + begin + ", " + end + "] span " + (end - begin) + " bytes");
        }
        return new Entry(name, type, dims, begin, end);
    }

    /** Tensors must tile the data section exactly: in bounds, no overlap, no gap, nothing after the last. */
    private static void checkLayout(Path file, List<Entry> entries, long dataLength) throws SafetensorsException {
        List<Entry> byOffset = new ArrayList<>(entries);
        byOffset.sort(Comparator.comparingLong(Entry::begin).thenComparingLong(Entry::end));
        long expectedBegin = 0;
        Entry previous = null;
        for (Entry e : byOffset) {
            if (e.end() > dataLength) {
                throw new SafetensorsException(file, "tensor '" + e.name() + "' data_offsets [" + e.begin() + ", "
                        + e.end() + "] run past the end of the " + dataLength + "-byte data section (truncated?)");
            }
            if (e.begin() < expectedBegin) {
                throw new SafetensorsException(file, "tensor '" + e.name() + "' data_offsets [" + e.begin() + ", "
                        + e.end() + "] overlap tensor '" + previous.name() + "' [" + previous.begin() + ", "
                        + previous.end() + "]");
            }
            if (e.begin() > expectedBegin) {
                throw new SafetensorsException(file, "gap of " + (e.begin() - expectedBegin)
                        + " unused bytes before tensor '" + e.name() + "' at data offset " + expectedBegin);
            }
            expectedBegin = e.end();
            previous = e;
        }
        if (expectedBegin != dataLength) {
            throw new SafetensorsException(file, (dataLength - expectedBegin) + " bytes after the last tensor's data "
                    + "(the data section is " + dataLength + " bytes, the tensors use " + expectedBegin + ")");
        }
    }

    private static Tensor readTensor(Path file, FileChannel channel, long dataStart, Entry e) throws IOException {
        int count = Math.toIntExact((e.end() - e.begin()) / e.type().bytes);
        ByteBuffer buffer = ByteBuffer.allocate(Math.min(CHUNK_BYTES, Math.max(count * e.type().bytes, 1)))
                .order(ByteOrder.LITTLE_ENDIAN);
        int perChunk = buffer.capacity() / e.type().bytes;
        float[] floats = e.type() == FileType.I32 ? null : new float[count];
        int[] ints = e.type() == FileType.I32 ? new int[count] : null;
        long position = dataStart + e.begin();
        for (int done = 0; done < count; ) {
            int n = Math.min(perChunk, count - done);
            buffer.clear().limit(n * e.type().bytes);
            readFully(file, channel, buffer, position);
            buffer.flip();
            switch (e.type()) {
                case F32 -> buffer.asFloatBuffer().get(floats, done, n);
                case I32 -> buffer.asIntBuffer().get(ints, done, n);
                case BF16 -> {
                    for (int i = 0; i < n; i++) floats[done + i] = fromBf16(buffer.getShort(2 * i));
                }
            }
            position += (long) n * e.type().bytes;
            done += n;
        }
        return ints != null ? Tensor.ofInts(ints, e.dims()) : Tensor.ofFloats(floats, e.dims());
    }

    private static void readFully(Path file, FileChannel channel, ByteBuffer buffer, long position) throws IOException {
        long at = position;
        while (buffer.hasRemaining()) {
            int n = channel.read(buffer, at);
            if (n < 0) throw new SafetensorsException(file, "unexpected end of file at byte " + at + " (truncated?)");
            at += n;
        }
    }
}
