package dev.speechmamba.text;

import dev.speechmamba.text.BpeTokenizer.Piece;
import dev.speechmamba.text.BpeTokenizer.PieceType;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads a SentencePiece {@code .model} file (a serialized {@code sentencepiece.ModelProto}) by parsing the
 * protobuf wire format directly: the pieces (field 1: text, score, type), the trainer spec's model type
 * (field 2.3) and the normalizer's {@code add_dummy_prefix} / {@code remove_extra_whitespaces} (fields 3.3, 3.4).
 * Only BPE models are accepted (unigram models need a different, Viterbi, encoder). SentencePiece's own
 * Unicode normalization rules (the precompiled char map) are not applied: feed text normalized with
 * {@link TextNormalizer} or equivalent.
 */
public final class SentencePieceModel {
    /** {@code TrainerSpec.ModelType} numbers. */
    static final int UNIGRAM = 1, BPE = 2, WORD = 3, CHAR = 4;

    /** What the file holds, in its own id order. */
    public record Contents(List<Piece> pieces, int modelType, boolean addDummyPrefix, boolean removeExtraWhitespaces) { }

    private SentencePieceModel() { }

    /**
     * A tokenizer for the BPE model in {@code file}. Ids: {@code 0 = <blank>} (added), SentencePiece id {@code i}
     * becomes {@code i + 1}; {@code <unk>} is the model's UNKNOWN piece; {@code <sos/eos>} is an added last piece
     * (the ESPnet convention {@link dev.speechmamba.model.AsrModel} uses), so the model's own {@code <s>} and
     * {@code </s>} stay ordinary control pieces that encoding never produces.
     */
    public static BpeTokenizer load(Path file) throws IOException {
        Contents c = read(file);
        if (c.modelType() != BPE) {
            String name = switch (c.modelType()) { case UNIGRAM -> "UNIGRAM"; case WORD -> "WORD"; case CHAR -> "CHAR"; default -> "type " + c.modelType(); };
            throw new IOException(file + ": SentencePiece model type " + name + " is not supported; only BPE models can be read");
        }
        List<Piece> pieces = new ArrayList<>();
        pieces.add(new Piece("<blank>", 0, PieceType.CONTROL));
        int unk = -1;
        for (Piece p : c.pieces()) {
            int id = pieces.size();
            pieces.add(p);
            if (p.type() == PieceType.UNKNOWN && unk < 0) unk = id;
        }
        if (unk < 0) throw new IOException(file + ": SentencePiece model has no UNKNOWN piece");
        int sosEos = pieces.size();
        pieces.add(new Piece("<sos/eos>", 0, PieceType.CONTROL));
        try {
            return new BpeTokenizer(pieces, 0, unk, sosEos, c.addDummyPrefix(), c.removeExtraWhitespaces());
        } catch (IllegalArgumentException e) {
            throw new IOException(file + ": invalid SentencePiece model: " + e.getMessage(), e);
        }
    }

    /** Parses the file without interpreting it as a tokenizer. */
    public static Contents read(Path file) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        if (bytes.length == 0) throw new IOException(file + ": empty file, not a SentencePiece model");
        try {
            return parseModel(new Reader(bytes, 0, bytes.length));
        } catch (MalformedException e) {
            throw new IOException(file + ": not a valid SentencePiece model: " + e.getMessage(), e);
        }
    }

    private static Contents parseModel(Reader r) {
        List<Piece> pieces = new ArrayList<>();
        int modelType = UNIGRAM; // the proto's default
        boolean addDummyPrefix = true, removeExtraWhitespaces = true;
        while (r.hasMore()) {
            long tag = r.varint();
            int field = (int) (tag >>> 3), wire = (int) (tag & 7);
            if (field == 1 && wire == 2) {
                pieces.add(parsePiece(r.message(), pieces.size()));
            } else if (field == 2 && wire == 2) {
                Reader spec = r.message();
                while (spec.hasMore()) {
                    long t = spec.varint();
                    if ((t >>> 3) == 3 && (t & 7) == 0) modelType = (int) spec.varint();
                    else spec.skip((int) (t & 7), (int) (t >>> 3));
                }
            } else if (field == 3 && wire == 2) {
                Reader spec = r.message();
                while (spec.hasMore()) {
                    long t = spec.varint();
                    if ((t >>> 3) == 3 && (t & 7) == 0) addDummyPrefix = spec.varint() != 0;
                    else if ((t >>> 3) == 4 && (t & 7) == 0) removeExtraWhitespaces = spec.varint() != 0;
                    else spec.skip((int) (t & 7), (int) (t >>> 3));
                }
            } else {
                r.skip(wire, field);
            }
        }
        if (pieces.isEmpty()) throw new MalformedException("no pieces (field 1) found");
        return new Contents(List.copyOf(pieces), modelType, addDummyPrefix, removeExtraWhitespaces);
    }

    private static Piece parsePiece(Reader r, int index) {
        String text = null;
        float score = 0;
        int type = PieceType.NORMAL.protoNumber;
        while (r.hasMore()) {
            long tag = r.varint();
            int field = (int) (tag >>> 3), wire = (int) (tag & 7);
            if (field == 1 && wire == 2) text = r.string();
            else if (field == 2 && wire == 5) score = Float.intBitsToFloat(r.fixed32());
            else if (field == 3 && wire == 0) type = (int) r.varint();
            else r.skip(wire, field);
        }
        if (text == null || text.isEmpty()) throw new MalformedException("piece " + index + " has no text");
        try {
            return new Piece(text, score, PieceType.fromProto(type));
        } catch (IllegalArgumentException e) {
            throw new MalformedException("piece " + index + " (\"" + text + "\"): " + e.getMessage());
        }
    }

    private static final class MalformedException extends RuntimeException {
        MalformedException(String message) { super(message); }
    }

    /** Protobuf wire-format reader over a byte range; every read is bounds-checked. */
    private static final class Reader {
        private final byte[] data;
        private int pos;
        private final int end;

        Reader(byte[] data, int from, int end) {
            this.data = data;
            this.pos = from;
            this.end = end;
        }

        boolean hasMore() { return pos < end; }

        long varint() {
            long value = 0;
            for (int shift = 0; shift < 64; shift += 7) {
                if (pos >= end) throw new MalformedException("truncated varint at byte " + pos);
                byte b = data[pos++];
                value |= (long) (b & 0x7F) << shift;
                if (b >= 0) return value;
            }
            throw new MalformedException("varint longer than 10 bytes at byte " + pos);
        }

        int fixed32() {
            need(4);
            int v = ByteBuffer.wrap(data, pos, 4).order(ByteOrder.LITTLE_ENDIAN).getInt();
            pos += 4;
            return v;
        }

        private int length() {
            long len = varint();
            if (len < 0 || len > end - pos) throw new MalformedException("length " + len + " at byte " + pos + " runs past the end (" + end + ")");
            return (int) len;
        }

        Reader message() {
            int len = length();
            Reader sub = new Reader(data, pos, pos + len);
            pos += len;
            return sub;
        }

        String string() {
            int len = length();
            try {
                String s = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                        .decode(ByteBuffer.wrap(data, pos, len)).toString();
                pos += len;
                return s;
            } catch (CharacterCodingException e) {
                throw new MalformedException("invalid UTF-8 in a string at byte " + pos);
            }
        }

        private void need(int n) {
            if (end - pos < n) throw new MalformedException("truncated field at byte " + pos);
        }

        void skip(int wire, int field) {
            switch (wire) {
                case 0 -> varint();
                case 1 -> { need(8); pos += 8; }
                case 2 -> {
                    int len = length(); // read before adding: length() itself moves pos
                    pos += len;
                }
                case 5 -> { need(4); pos += 4; }
                default -> throw new MalformedException("unsupported wire type " + wire + " for field " + field + " at byte " + pos);
            }
        }
    }
}
