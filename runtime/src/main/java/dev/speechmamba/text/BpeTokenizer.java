package dev.speechmamba.text;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A BPE tokenizer in the SentencePiece style: a space becomes the word-boundary marker {@code ▁} (U+2581),
 * the text gets a leading marker ("dummy prefix"), and pieces never cross a word boundary. Encoding starts
 * from single characters and repeatedly merges the adjacent pair whose concatenation is the piece with the
 * highest score (the leftmost on ties), exactly as SentencePiece encodes BPE models, so models trained here
 * (merge {@code k} gets score {@code -k}) and BPE {@code .model} files read by {@link SentencePieceModel} share
 * one encoder.
 *
 * <p>Id layout of models trained here: {@code 0 = <blank>} (the CTC blank, never produced by {@link #encode}),
 * {@code 1 = <unk>}, then, with byte fallback, the 256 byte pieces {@code <0x00>..<0xFF>}, then the characters
 * of the training text in code-point order, then the merged pieces in merge order, and last
 * {@code V-1 = <sos/eos>} (one id starts and ends decoder sequences; ESPnet's convention, which the model uses).
 * SentencePiece models keep their own order shifted by one, behind a {@code <blank>} at id 0, with an added
 * {@code <sos/eos>} at the end.
 *
 * <p>Unknown characters: with byte fallback a character that is not a piece is written as the ids of its UTF-8
 * bytes, so {@code decode(encode(s)).equals(s)} for every valid string. Without byte fallback it becomes
 * {@code <unk>}, which decodes to {@code ⁇} (U+2047, as SentencePiece does), so the round trip is exact only for
 * text made of the model's characters. A literal {@code ▁} in the input is always treated as unknown, so it
 * survives the round trip (via bytes) instead of turning into a space.
 */
public final class BpeTokenizer {
    /** The word-boundary marker that stands for a space inside pieces. */
    public static final String SPACE_MARKER = "\u2581";
    /** What an {@code <unk>} id decodes to. */
    public static final String UNKNOWN_TEXT = "\u2047";
    static final String FORMAT = "speech-mamba-bpe";
    static final int FORMAT_VERSION = 1;
    private static final int SPACE_MARKER_CP = 0x2581;
    private static final int WORD_CACHE_LIMIT = 200_000;

    /** Piece kinds, numbered as in SentencePiece's model proto. */
    public enum PieceType {
        NORMAL(1), UNKNOWN(2), CONTROL(3), USER_DEFINED(4), UNUSED(5), BYTE(6);

        final int protoNumber;

        PieceType(int protoNumber) { this.protoNumber = protoNumber; }

        static PieceType fromProto(int number) {
            for (PieceType t : values()) if (t.protoNumber == number) return t;
            throw new IllegalArgumentException("unknown SentencePiece piece type " + number);
        }
    }

    /** One vocabulary entry. */
    public record Piece(String text, float score, PieceType type) {
        public Piece {
            if (text == null || text.isEmpty()) throw new IllegalArgumentException("piece text must be non-empty");
            if (type == null) throw new IllegalArgumentException("piece type is null for \"" + text + "\"");
        }
    }

    private final List<Piece> pieces;
    private final Map<String, Integer> mergeableIds = new HashMap<>();
    private final int[] byteIds; // byte value -> id, or null without byte fallback
    private final int blankId;
    private final int unkId;
    private final int sosEosId;
    private final boolean addDummyPrefix;
    private final boolean collapseWhitespace;
    private final Map<String, int[]> wordCache = new ConcurrentHashMap<>();

    /**
     * Builds a tokenizer from its pieces. {@code blankId}, {@code unkId} and {@code sosEosId} must name pieces of
     * type CONTROL, UNKNOWN and CONTROL; byte fallback is on when all 256 BYTE pieces are present.
     */
    public BpeTokenizer(List<Piece> pieces, int blankId, int unkId, int sosEosId, boolean addDummyPrefix,
                        boolean collapseWhitespace) {
        if (pieces == null || pieces.isEmpty()) throw new IllegalArgumentException("tokenizer needs pieces");
        this.pieces = List.copyOf(pieces);
        checkSpecial("blank", blankId, PieceType.CONTROL);
        checkSpecial("unk", unkId, PieceType.UNKNOWN);
        checkSpecial("sos/eos", sosEosId, PieceType.CONTROL);
        if (blankId == sosEosId) throw new IllegalArgumentException("blank and sos/eos must differ, both are " + blankId);
        this.blankId = blankId;
        this.unkId = unkId;
        this.sosEosId = sosEosId;
        this.addDummyPrefix = addDummyPrefix;
        this.collapseWhitespace = collapseWhitespace;
        int[] bytes = new int[256];
        Arrays.fill(bytes, -1);
        int byteCount = 0;
        for (int id = 0; id < this.pieces.size(); id++) {
            Piece p = this.pieces.get(id);
            switch (p.type()) {
                case NORMAL, USER_DEFINED -> {
                    Integer previous = mergeableIds.putIfAbsent(p.text(), id);
                    if (previous != null) {
                        throw new IllegalArgumentException("piece \"" + p.text() + "\" appears twice (ids " + previous + ", " + id + ")");
                    }
                }
                case BYTE -> {
                    int value = parseBytePiece(p.text());
                    if (bytes[value] >= 0) throw new IllegalArgumentException("byte piece " + p.text() + " appears twice");
                    bytes[value] = id;
                    byteCount++;
                }
                default -> { }
            }
        }
        if (byteCount != 0 && byteCount != 256) {
            throw new IllegalArgumentException("byte fallback needs all 256 byte pieces, found " + byteCount);
        }
        this.byteIds = byteCount == 256 ? bytes : null;
    }

    private void checkSpecial(String name, int id, PieceType expected) {
        if (id < 0 || id >= pieces.size()) {
            throw new IllegalArgumentException(name + " id " + id + " is outside the vocabulary [0, " + pieces.size() + ")");
        }
        if (pieces.get(id).type() != expected) {
            throw new IllegalArgumentException(name + " id " + id + " is piece \"" + pieces.get(id).text() + "\" of type "
                    + pieces.get(id).type() + ", expected " + expected);
        }
    }

    private static int parseBytePiece(String text) {
        if (text.length() != 6 || !text.startsWith("<0x") || !text.endsWith(">")) {
            throw new IllegalArgumentException("byte piece must look like <0x41>, got \"" + text + "\"");
        }
        return Integer.parseInt(text.substring(3, 5), 16);
    }

    static String bytePiece(int value) { return String.format("<0x%02X>", value); }

    public int vocabSize() { return pieces.size(); }
    public int blankId() { return blankId; }
    public int unkId() { return unkId; }
    public int sosEosId() { return sosEosId; }
    public boolean byteFallback() { return byteIds != null; }
    public List<Piece> pieces() { return pieces; }
    public Piece piece(int id) { return pieces.get(checkId(id)); }

    private int checkId(int id) {
        if (id < 0 || id >= pieces.size()) throw new IllegalArgumentException("token id " + id + " is outside the vocabulary [0, " + pieces.size() + ")");
        return id;
    }

    /** Token ids of {@code text} (no {@code <sos/eos>} added). Throws on unpaired UTF-16 surrogates. */
    public int[] encode(String text) {
        if (text == null) throw new IllegalArgumentException("encode: text is null");
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                throw new IllegalArgumentException("encode: unpaired surrogate U+" + Integer.toHexString(c) + " at index " + i);
            }
        }
        if (collapseWhitespace) text = text.strip().replaceAll(" +", " ");
        if (text.isEmpty()) return new int[0];
        // A word runs from one space to the next; its leading space becomes the marker in segment(), so the input's
        // own ▁ characters stay distinguishable from spaces.
        String spaced = addDummyPrefix ? " " + text : text;
        IntList out = new IntList();
        int start = 0;
        for (int i = 1; i <= spaced.length(); i++) {
            if (i == spaced.length() || spaced.charAt(i) == ' ') {
                encodeWord(spaced.substring(start, i), out);
                start = i;
            }
        }
        return out.toArray();
    }

    private void encodeWord(String word, IntList out) {
        int[] cached = wordCache.get(word);
        if (cached == null) {
            cached = segment(word);
            if (wordCache.size() < WORD_CACHE_LIMIT) wordCache.put(word, cached);
        }
        for (int id : cached) out.add(id);
    }

    /** Splits one word (a leading space stands for the marker) into piece ids. */
    private int[] segment(String word) {
        // Symbols: the text of each piece so far, or null text for a character that must fall back.
        List<String> symbols = new ArrayList<>();
        List<Boolean> known = new ArrayList<>();
        word.codePoints().forEach(cp -> {
            boolean literalMarker = cp == SPACE_MARKER_CP;
            String text = cp == ' ' ? SPACE_MARKER : new String(Character.toChars(cp));
            symbols.add(text);
            known.add(!literalMarker && mergeableIds.containsKey(text));
        });
        while (symbols.size() > 1) {
            int best = -1;
            float bestScore = Float.NEGATIVE_INFINITY;
            for (int i = 0; i + 1 < symbols.size(); i++) {
                if (!known.get(i) || !known.get(i + 1)) continue;
                Integer id = mergeableIds.get(symbols.get(i) + symbols.get(i + 1));
                if (id == null) continue;
                float score = pieces.get(id).score();
                if (best < 0 || score > bestScore) {
                    best = i;
                    bestScore = score;
                }
            }
            if (best < 0) break;
            symbols.set(best, symbols.get(best) + symbols.remove(best + 1));
            known.remove(best + 1);
        }
        IntList ids = new IntList();
        for (int i = 0; i < symbols.size(); i++) {
            if (known.get(i)) {
                ids.add(mergeableIds.get(symbols.get(i)));
            } else if (byteIds != null) {
                for (byte b : symbols.get(i).getBytes(StandardCharsets.UTF_8)) ids.add(byteIds[b & 0xFF]);
            } else if (ids.size() == 0 || ids.last() != unkId) {
                ids.add(unkId); // a run of unknown characters is one <unk>, as in SentencePiece
            }
        }
        return ids.toArray();
    }

    /** The text of {@code ids}; blank and other control ids are skipped. */
    public String decode(int[] ids) {
        if (ids == null) throw new IllegalArgumentException("decode: ids is null");
        StringBuilder out = new StringBuilder();
        ByteArrayOutputStream pendingBytes = new ByteArrayOutputStream();
        for (int id : ids) {
            Piece p = pieces.get(checkId(id));
            if (p.type() == PieceType.BYTE) {
                pendingBytes.write(parseBytePiece(p.text()));
                continue;
            }
            flushBytes(pendingBytes, out);
            switch (p.type()) {
                case NORMAL, USER_DEFINED -> out.append(p.text().replace(SPACE_MARKER, " "));
                case UNKNOWN -> out.append(UNKNOWN_TEXT);
                default -> { }
            }
        }
        flushBytes(pendingBytes, out);
        if (addDummyPrefix && !out.isEmpty() && out.charAt(0) == ' ') out.deleteCharAt(0);
        return out.toString();
    }

    private static void flushBytes(ByteArrayOutputStream bytes, StringBuilder out) {
        if (bytes.size() == 0) return;
        out.append(new String(bytes.toByteArray(), StandardCharsets.UTF_8));
        bytes.reset();
    }

    /** The pieces of {@code text}, for display ({@code "▁hel", "lo"}). */
    public List<String> encodeAsPieces(String text) {
        List<String> out = new ArrayList<>();
        for (int id : encode(text)) out.add(pieces.get(id).text());
        return out;
    }

    // ---------------------------------------------------------------- persistence

    /** Writes the model as JSON (pieces with scores and types, special ids, options). */
    public void save(Path file) throws IOException {
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) Files.createDirectories(parent);
        Files.writeString(file, toJson(), StandardCharsets.UTF_8);
    }

    /** The JSON that {@link #save} writes, as text (e.g. for checkpoint metadata). */
    public String toJson() {
        ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        ObjectNode root = json.createObjectNode();
        root.put("format", FORMAT);
        root.put("version", FORMAT_VERSION);
        root.put("blank_id", blankId);
        root.put("unk_id", unkId);
        root.put("sos_eos_id", sosEosId);
        root.put("add_dummy_prefix", addDummyPrefix);
        root.put("collapse_whitespace", collapseWhitespace);
        root.put("byte_fallback", byteFallback());
        ArrayNode list = root.putArray("pieces");
        for (Piece p : pieces) {
            ObjectNode node = list.addObject();
            node.put("piece", p.text());
            node.put("score", p.score());
            node.put("type", p.type().name());
        }
        try {
            return json.writeValueAsString(root);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("tokenizer JSON could not be written", e);
        }
    }

    /** Reads a model written by {@link #save}. */
    public static BpeTokenizer load(Path file) throws IOException {
        return fromJson(Files.readString(file, StandardCharsets.UTF_8), file.toString());
    }

    /**
     * Parses the JSON of {@link #toJson}; {@code file} names where the text came from in error messages.
     */
    public static BpeTokenizer fromJson(String text, String file) throws IOException {
        JsonNode root;
        try {
            root = new ObjectMapper().readTree(text);
        } catch (IOException e) {
            throw new IOException(file + ": not a readable tokenizer JSON file: " + e.getMessage(), e);
        }
        if (root == null || !FORMAT.equals(root.path("format").asText())) {
            throw new IOException(file + ": not a " + FORMAT + " file (missing \"format\": \"" + FORMAT + "\")");
        }
        if (root.path("version").asInt(-1) != FORMAT_VERSION) {
            throw new IOException(file + ": unsupported tokenizer version " + root.path("version") + " (expected " + FORMAT_VERSION + ")");
        }
        List<Piece> pieces = new ArrayList<>();
        try {
            for (JsonNode node : root.withArray("pieces")) {
                pieces.add(new Piece(node.path("piece").asText(), (float) node.path("score").asDouble(),
                        PieceType.valueOf(node.path("type").asText())));
            }
            return new BpeTokenizer(pieces, required(root, "blank_id", file), required(root, "unk_id", file),
                    required(root, "sos_eos_id", file), root.path("add_dummy_prefix").asBoolean(true),
                    root.path("collapse_whitespace").asBoolean(false));
        } catch (IllegalArgumentException e) {
            throw new IOException(file + ": invalid tokenizer: " + e.getMessage(), e);
        }
    }

    private static int required(JsonNode root, String field, String file) {
        if (!root.path(field).isInt()) throw new IllegalArgumentException("missing integer field \"" + field + "\" in " + file);
        return root.path(field).asInt();
    }

    /** Growable int array (avoids boxing in the encoder's output). */
    static final class IntList {
        private int[] data = new int[16];
        private int size;

        void add(int v) {
            if (size == data.length) data = Arrays.copyOf(data, size * 2);
            data[size++] = v;
        }

        int size() { return size; }
        int last() { return data[size - 1]; }
        int[] toArray() { return Arrays.copyOf(data, size); }
    }
}
